//! Small arithmetic expressions for the synthetic math questions, with their worked steps.

use rand::Rng;
use rand::seq::IndexedRandom;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Mod => "%",
            Op::Pow => "^",
        }
    }

    fn precedence(self) -> u8 {
        match self {
            Op::Add | Op::Sub => 1,
            Op::Mul | Op::Div | Op::Mod => 2,
            Op::Pow => 3,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Op::Add => "plus",
            Op::Sub => "minus",
            Op::Mul => "times",
            Op::Div => "divided by",
            Op::Mod => "modulo",
            Op::Pow => "to the power of",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(i64),
    /// √ of a literal perfect square.
    Sqrt(i64),
    Bin(Op, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Integer value, or `None` when a step is not a small non-negative integer.
    pub fn value(&self) -> Option<i64> {
        let v = match self {
            Expr::Num(n) => *n,
            Expr::Sqrt(n) => (*n as f64).sqrt() as i64,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.value()?, b.value()?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div if b != 0 && a % b == 0 => a / b,
                    Op::Mod if b > 0 => a % b,
                    Op::Pow if b <= 3 => a.pow(b as u32),
                    _ => return None,
                }
            }
        };
        (0..=40).contains(&v).then_some(v)
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Bin(op, _, _) => op.precedence(),
            _ => 9,
        }
    }

    /// Text with the fewest parentheses that keep the meaning.
    pub fn render(&self) -> String {
        match self {
            Expr::Num(n) => n.to_string(),
            Expr::Sqrt(n) => format!("√{n}"),
            Expr::Bin(op, a, b) => {
                let left = if a.precedence() < op.precedence()
                    || (*op == Op::Pow && a.precedence() <= 3)
                {
                    format!("({})", a.render())
                } else {
                    a.render()
                };
                let right_needs = b.precedence() < op.precedence()
                    || (b.precedence() == op.precedence() && !matches!(op, Op::Add | Op::Mul));
                let right = if right_needs {
                    format!("({})", b.render())
                } else {
                    b.render()
                };
                format!("{left} {} {right}", op.symbol())
            }
        }
    }

    /// Worked steps in evaluation order, e.g. ["3 plus 2 is 5", "the square root of 25 is 5"].
    pub fn steps(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Sqrt(n) => out.push(format!(
                "the square root of {n} is {}",
                self.value().unwrap_or(0)
            )),
            Expr::Bin(op, a, b) => {
                a.steps(out);
                b.steps(out);
                if let (Some(x), Some(y), Some(v)) = (a.value(), b.value(), self.value()) {
                    out.push(format!("{x} {} {y} is {v}", op.words()));
                }
            }
        }
    }
}

/// A random expression with exactly `ops` operations whose value is 1–5.
pub fn random_expression(rng: &mut impl Rng, ops: u32) -> Expr {
    loop {
        let expr = build(rng, ops, ops >= 2);
        if expr.value().is_some_and(|v| (1..=5).contains(&v)) {
            return expr;
        }
    }
}

fn build(rng: &mut impl Rng, ops: u32, fancy: bool) -> Expr {
    if ops == 0 {
        return Expr::Num(rng.random_range(1..=9));
    }
    if fancy && rng.random_bool(0.2) {
        let root: i64 = rng.random_range(1..=5);
        if ops == 1 {
            return Expr::Sqrt(root * root);
        }
    }
    let basic = [Op::Add, Op::Sub, Op::Mul, Op::Div];
    let all = [
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Mod,
        Op::Pow,
        Op::Add,
        Op::Sub,
    ];
    let op = *(if fancy { &all[..] } else { &basic[..] })
        .choose(rng)
        .unwrap_or(&Op::Add);
    let left_ops = rng.random_range(0..ops);
    let left = build(rng, left_ops, fancy);
    let right = if op == Op::Pow {
        Expr::Num(rng.random_range(0..=2))
    } else {
        build(rng, ops - 1 - left_ops, fancy)
    };
    Expr::Bin(op, Box::new(left), Box::new(right))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn bin(op: Op, a: Expr, b: Expr) -> Expr {
        Expr::Bin(op, Box::new(a), Box::new(b))
    }

    #[test]
    fn renders_with_needed_parentheses_only() {
        let e = bin(
            Op::Mul,
            bin(Op::Add, Expr::Num(1), Expr::Num(2)),
            Expr::Num(3),
        );
        assert_eq!(e.render(), "(1 + 2) * 3");
        assert_eq!(e.value(), Some(9));
        let e = bin(
            Op::Sub,
            Expr::Num(9),
            bin(Op::Sub, Expr::Num(4), Expr::Sqrt(9)),
        );
        assert_eq!(e.render(), "9 - (4 - √9)");
        assert_eq!(e.value(), Some(8));
        let mut steps = Vec::new();
        e.steps(&mut steps);
        assert_eq!(
            steps,
            [
                "the square root of 9 is 3",
                "4 minus 3 is 1",
                "9 minus 1 is 8"
            ]
        );
    }

    #[test]
    fn random_expressions_stay_small_and_exact() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for ops in 1..=3 {
            for _ in 0..50 {
                let e = random_expression(&mut rng, ops);
                assert!((1..=5).contains(&e.value().unwrap()), "{}", e.render());
            }
        }
        assert_eq!(bin(Op::Div, Expr::Num(7), Expr::Num(2)).value(), None);
    }
}
