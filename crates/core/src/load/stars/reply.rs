//! A STARS filter reply as upstream `data_filter.py` reads it: its verdict and what it says it
//! counted.

/// The filter's verdict as upstream `data_filter.py` extracts it from a reply: the first
/// `Final Answer: YES|NO` (any case), else YES when the reply has the word YES and not NO (or
/// NO the other way round), else none.
pub fn judgment_of_reply(reply: &str) -> Option<bool> {
    let lower = reply.to_lowercase();
    let mut found = None;
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("final answer:") {
        let after = rest[at + "final answer:".len()..].trim_start();
        if after.starts_with("yes") {
            found = Some(true);
        } else if after.starts_with("no") {
            found = Some(false);
        }
        if found.is_some() {
            break;
        }
        rest = &rest[at + 1..];
    }
    if found.is_some() {
        return found;
    }
    let has_word = |word: &str| {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|token| token == word)
    };
    match (has_word("yes"), has_word("no")) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// What the reply says it counted, e.g. "2 spoons" from "I count 2 spoons in the image."
pub fn stated_count(reply: &str) -> Option<String> {
    // Without lowercasing the whole reply: this runs once per candidate while loading.
    let at = memchr::memmem::find_iter(reply.as_bytes(), b"count ").find(|&at| {
        let before = &reply.as_bytes()[..at];
        before.ends_with(b"I ") || before.ends_with(b"i ")
    })? + "count ".len();
    let rest = &reply[at..];
    let end = rest
        .find(" in the image")
        .or_else(|| rest.find(['.', '\n', ',', ';']))
        .unwrap_or(rest.len());
    let said = rest[..end].trim();
    (said.starts_with(|c: char| c.is_ascii_digit()) && said.len() <= 60).then(|| said.to_string())
}
