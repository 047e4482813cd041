//! Evaluates the arithmetic in a math question ("… equal to (7 % 5) + 2 * 1.", "the square root
//! of 9 plus 1 minus 2") so that answer keys contradicting it can be flagged.
//!
//! Grammar, usual precedence: `+ -` < `* / %` < `^` (right-associative) < unary `√ -`.
//! Division is exact (real); the result is floored only when the question says "rounded down".

/// The value of the question's expression, or why it could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub expression: String,
    pub value: f64,
}

/// Word forms the benchmark uses, rewritten to symbols before parsing (longest first).
const WORDS: [(&str, &str); 14] = [
    ("the square root of", " √ "),
    ("square root of", " √ "),
    ("to the power of", " ^ "),
    ("multiplied by", " * "),
    ("divided by", " / "),
    ("modulo", " % "),
    ("plus", " + "),
    ("minus", " - "),
    ("times", " * "),
    ("×", " * "),
    ("÷", " / "),
    ("−", " - "),
    ("sqrt", " √ "),
    ("mod ", " % "),
];

/// Steps after the main expression ("…, then add 2"): they apply to the result so far.
const THEN_STEPS: [(&str, char); 8] = [
    ("add ", '+'),
    ("plus ", '+'),
    ("subtract ", '-'),
    ("minus ", '-'),
    ("multiply by ", '*'),
    ("multiply it by ", '*'),
    ("divide by ", '/'),
    ("divide it by ", '/'),
];

/// Finds the expression in `question` and evaluates it: a variable given by "where X = n" is
/// substituted, `²`/`³` are powers, and each "…, then add / subtract / multiply by / divide by N"
/// applies to the result so far.
pub fn evaluate_question(question: &str) -> Result<Evaluation, String> {
    let lowered = substitute_variables(
        &question
            .to_lowercase()
            .replace('²', "^2")
            .replace('³', "^3"),
    );
    let mut clauses = lowered.split(", then ");
    let main = clauses.next().unwrap_or("");
    let (mut expression, mut value) = evaluate_span(main)?;
    for clause in clauses {
        let clause = clause.trim();
        let Some((op, operand)) = THEN_STEPS
            .iter()
            .find_map(|(verb, op)| clause.strip_prefix(verb).map(|rest| (*op, rest)))
        else {
            return Err(format!("cannot read the step \"then {clause}\""));
        };
        let (operand_text, operand) = evaluate_operand(operand)?;
        value = match op {
            '+' => value + operand,
            '-' => value - operand,
            '*' => value * operand,
            _ if operand == 0.0 => return Err("division by zero".into()),
            _ => value / operand,
        };
        expression = format!("({expression}) {op} {operand_text}");
    }
    if lowered.contains("rounded down") {
        value = value.floor();
    }
    Ok(Evaluation { expression, value })
}

/// The longest arithmetic in `text`, evaluated.
fn evaluate_span(text: &str) -> Result<(String, f64), String> {
    let mut text = format!(" {text} ");
    for (word, symbol) in WORDS {
        text = text.replace(word, symbol);
    }
    let expression = longest_math_span(&text).ok_or("no arithmetic found in the question")?;
    let value = evaluate_expression(&expression)?;
    Ok((expression, value))
}

/// The operand of a "then" step: a number or an expression ("the square root of 9").
fn evaluate_operand(text: &str) -> Result<(String, f64), String> {
    let mut text = format!(" {text} ");
    for (word, symbol) in WORDS {
        text = text.replace(word, symbol);
    }
    let operand: String = text
        .trim()
        .chars()
        .take_while(|c| is_math_char(*c))
        .collect();
    let operand = operand.trim().trim_end_matches('.').trim().to_string();
    if operand.is_empty() {
        return Err(format!("cannot read the step operand {:?}", text.trim()));
    }
    let value = evaluate_expression(&operand)?;
    Ok((operand, value))
}

fn evaluate_expression(expression: &str) -> Result<f64, String> {
    let tokens = tokenize(expression)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        depth: 0,
    };
    let value = parser.expr()?;
    if parser.at != tokens.len() {
        return Err(format!("cannot read {expression:?}"));
    }
    Ok(value)
}

/// "… √(m^2 + 9) where m = 1" → "… √(1^2 + 9)": single-letter variables given a number.
fn substitute_variables(text: &str) -> String {
    let Some(at) = text.rfind("where ") else {
        return text.to_string();
    };
    let (body, definitions) = text.split_at(at);
    let mut values: Vec<(char, String)> = Vec::new();
    for definition in definitions["where ".len()..]
        .split([',', ';'])
        .flat_map(|d| d.split(" and "))
    {
        let Some((name, number)) = definition.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let number = number.trim().trim_end_matches('.').trim();
        let mut letters = name.chars();
        if let (Some(letter), None) = (letters.next(), letters.next())
            && letter.is_alphabetic()
            && number.parse::<f64>().is_ok()
        {
            values.push((letter, number.to_string()));
        }
    }
    if values.is_empty() {
        return text.to_string();
    }
    // Replace the letter only where it stands alone (not inside a word such as "make").
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    for (i, &c) in chars.iter().enumerate() {
        let alone = !chars
            .get(i.wrapping_sub(1))
            .is_some_and(|p| p.is_alphanumeric())
            && !chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        match values.iter().find(|(letter, _)| *letter == c) {
            Some((_, number)) if alone => out.push_str(&format!("({number})")),
            _ => out.push(c),
        }
    }
    out
}

fn is_math_char(c: char) -> bool {
    c.is_ascii_digit() || " .+-*/%^√()".contains(c)
}

/// The longest run of math characters that holds a digit and an operator; a sentence's final
/// full stop is dropped.
fn longest_math_span(text: &str) -> Option<String> {
    let mut best: Option<String> = None;
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once('\u{0}')) {
        if is_math_char(c) {
            current.push(c);
            continue;
        }
        let candidate = current.trim().trim_end_matches('.').trim().to_string();
        let has_digit = candidate.chars().any(|c| c.is_ascii_digit());
        let has_op = candidate.chars().any(|c| "+-*/%^√".contains(c));
        if has_digit && has_op && best.as_ref().is_none_or(|b| candidate.len() > b.len()) {
            best = Some(candidate);
        }
        current.clear();
    }
    best
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Op(char),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            tokens.push(Token::Number(
                number
                    .parse()
                    .map_err(|_| format!("bad number {number:?}"))?,
            ));
            continue;
        }
        if "+-*/%^√()".contains(c) {
            tokens.push(Token::Op(c));
        } else if !c.is_whitespace() && c != '.' {
            return Err(format!("unexpected {c:?}"));
        }
        i += 1;
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    /// Nesting so far: a question of ten thousand `(` or `√` is refused, not a stack overflow.
    depth: usize,
}

/// Deeper than any benchmark question (they nest two or three levels).
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn peek_op(&self) -> Option<char> {
        match self.tokens.get(self.at) {
            Some(Token::Op(c)) => Some(*c),
            _ => None,
        }
    }

    fn expr(&mut self) -> Result<f64, String> {
        let mut value = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek_op() {
            self.at += 1;
            let rhs = self.term()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<f64, String> {
        let mut value = self.power()?;
        while let Some(op @ ('*' | '/' | '%')) = self.peek_op() {
            self.at += 1;
            let rhs = self.power()?;
            value = match op {
                '*' => value * rhs,
                '/' if rhs == 0.0 => return Err("division by zero".into()),
                '/' => value / rhs,
                _ if rhs == 0.0 => return Err("modulo by zero".into()),
                _ => value.rem_euclid(rhs),
            };
        }
        Ok(value)
    }

    fn power(&mut self) -> Result<f64, String> {
        self.nested(Self::power_level)
    }

    fn power_level(&mut self) -> Result<f64, String> {
        let base = self.unary()?;
        if self.peek_op() == Some('^') {
            self.at += 1;
            let exponent = self.power()?;
            return Ok(base.powf(exponent));
        }
        Ok(base)
    }

    /// Runs one level of the recursive descent, refusing to go deeper than `MAX_DEPTH`.
    fn nested(&mut self, level: fn(&mut Self) -> Result<f64, String>) -> Result<f64, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        let value = level(self);
        self.depth -= 1;
        value
    }

    fn unary(&mut self) -> Result<f64, String> {
        self.nested(Self::unary_level)
    }

    fn unary_level(&mut self) -> Result<f64, String> {
        match self.peek_op() {
            Some('√') => {
                self.at += 1;
                let value = self.unary()?;
                if value < 0.0 {
                    Err("square root of a negative number".into())
                } else {
                    Ok(value.sqrt())
                }
            }
            Some('-') => {
                self.at += 1;
                Ok(-self.unary()?)
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<f64, String> {
        match self.tokens.get(self.at) {
            Some(Token::Number(n)) => {
                self.at += 1;
                Ok(*n)
            }
            Some(Token::Op('(')) => {
                self.at += 1;
                let value = self.expr()?;
                if self.peek_op() != Some(')') {
                    return Err("missing closing parenthesis".into());
                }
                self.at += 1;
                Ok(value)
            }
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

/// The leading count of an answer key: "3 forks" → 3.
pub fn answer_count(answer: &str) -> Option<f64> {
    answer.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(question: &str) -> f64 {
        evaluate_question(question)
            .unwrap_or_else(|e| panic!("{question}: {e}"))
            .value
    }

    #[test]
    fn every_operator_with_precedence() {
        assert_eq!(value("Generate as many cups as the result of 8 / 4."), 2.0);
        assert_eq!(
            value("Provide the number of chairs equal to (7 % 5) + 2 * 1."),
            4.0
        );
        assert_eq!(
            value("Show the number of spoons that equals (5^0) * 3 + 1."),
            4.0
        );
        assert_eq!(
            value("Produce a number of oranges equal to the result of 3 + 2 - √25."),
            0.0
        );
        assert_eq!(
            value("Give the same quantity of forks as (2^3 / √4) - 1."),
            3.0
        );
        assert_eq!(value("Create as many pots as √36 / √9 + 2."), 4.0);
        assert_eq!(value("Make 2 * 3 ^ 2 - 15 apples."), 3.0);
        assert_eq!(value("Make 2 ^ 3 ^ 0 cups."), 2.0, "^ is right-associative");
        assert_eq!(value("Make 10 - 4 - 3 cups."), 3.0, "- is left-associative");
        assert_eq!(value("Make 9 − 2 × 3 ÷ 2 cups."), 6.0);
    }

    #[test]
    fn word_forms() {
        assert_eq!(
            value("Create the same quantity of kittens as the square root of 9 plus 1 minus 2."),
            2.0
        );
        assert_eq!(value("Draw 3 times 2 divided by 3 apples."), 2.0);
        assert_eq!(value("Draw 2 to the power of 2 modulo 3 balls."), 1.0);
    }

    #[test]
    fn then_steps_apply_to_the_result_so_far() {
        // The key (3) is right: √16 − 3 = 1, then + 2. Dropping the step accused it.
        assert_eq!(
            value("Generate the outcome of the square root of 16 minus 3, then add 2."),
            3.0
        );
        assert_eq!(value("Draw 2 + 3 cups, then multiply by 2."), 10.0);
        assert_eq!(
            value("Draw 2 + 4 cups, then divide by 2, then subtract 1."),
            2.0
        );
        assert_eq!(
            value("Show 1 + 1 stars, then add the square root of 9."),
            5.0
        );
        assert!(evaluate_question("Draw 2 + 2 cups, then paint them red.").is_err());
    }

    #[test]
    fn variables_given_by_where_are_substituted() {
        let shirts = value("Create the same quantity of shirts as √(M² + 9) where M = 1.");
        assert!((shirts - 10f64.sqrt()).abs() < 1e-9, "{shirts}");
        assert_eq!(value("Make x * 2 + y apples, where x = 3 and y = 1."), 7.0);
        assert_eq!(
            value("Make a total of 2 + 2 apples."),
            4.0,
            "the article is no variable"
        );
    }

    #[test]
    fn division_is_exact_unless_rounded_down() {
        assert_eq!(value("Draw 7 / 2 cats."), 3.5);
        assert_eq!(value("Draw 7 / 2, rounded down, cats."), 3.0);
        assert_eq!(value("Draw as many cats as 7 / 2 rounded down."), 3.0);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!(
            "Draw {}1 + 1{} apples",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let err = evaluate_question(&deep).unwrap_err();
        assert!(err.contains("nested more than"), "{err}");
        let tower = format!("Draw 1{} apples", "^1".repeat(100_000));
        assert!(evaluate_question(&tower).is_err());
        let roots = format!("Draw {}4 apples", "√".repeat(100_000));
        assert!(evaluate_question(&roots).is_err());
        assert_eq!(
            value("Draw ((((2 + 1)))) cups"),
            3.0,
            "ordinary nesting still reads"
        );
    }

    #[test]
    fn unreadable_questions_say_why() {
        assert!(evaluate_question("Draw some cats.").is_err());
        assert!(
            evaluate_question("Draw 4 / 0 cats.")
                .unwrap_err()
                .contains("zero")
        );
        assert!(
            evaluate_question("Draw (4 + 1 cats.")
                .unwrap_err()
                .contains("parenthesis")
        );
        assert_eq!(answer_count("3 forks"), Some(3.0));
        assert_eq!(answer_count("undefined"), None);
    }

    #[test]
    fn finds_the_wrong_keys_of_the_shared_examples() {
        // From the UniSandbox math_3 benchmark: ids 1 and 31 are keyed wrongly, 2 correctly.
        let cases = [
            (
                "Produce a number of oranges equal to the result of 3 + 2 - √25.",
                "1 orange",
                false,
            ),
            (
                "Produce the number of forks matching (5 % 3) + 3 - 1.",
                "3 forks",
                false,
            ),
            (
                "Create the same quantity of kittens as the square root of 9 plus 1 minus 2.",
                "2 kittens",
                true,
            ),
        ];
        for (question, answer, consistent) in cases {
            assert_eq!(
                value(question) == answer_count(answer).unwrap(),
                consistent,
                "{question}"
            );
        }
    }
}
