//! Conditions on facts (`when = ["proxy", "!no_proxy ~ host_ip"]`).

use crate::facts::{Facts, list_covers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// The fact is known and not empty.
    Set(String),
    Equals(String, String),
    StartsWith(String, String),
    /// The list in the first fact covers the value of the second.
    Covers(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub negated: bool,
    pub test: Test,
}

fn name(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{s}` is not a fact name"));
    }
    Ok(s.to_string())
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim();
        let (negated, t) = match t.strip_prefix('!') {
            Some(r) => (true, r.trim_start()),
            None => (false, t),
        };
        let test = if let Some((a, b)) = t.split_once("^=") {
            Test::StartsWith(name(a)?, b.trim().to_string())
        } else if let Some((a, b)) = t.split_once('~') {
            Test::Covers(name(a)?, name(b)?)
        } else if let Some((a, b)) = t.split_once('=') {
            Test::Equals(name(a)?, b.trim().to_string())
        } else {
            Test::Set(name(t)?)
        };
        Ok(Condition { negated, test })
    }

    pub fn holds(&self, facts: &Facts) -> bool {
        let v = |n: &str| facts.value(n);
        let r = match &self.test {
            Test::Set(n) => v(n).is_some_and(|x| !x.is_empty()),
            Test::Equals(n, want) => v(n).is_some_and(|x| &x == want),
            Test::StartsWith(n, want) => v(n).is_some_and(|x| x.starts_with(want.as_str())),
            Test::Covers(list, item) => match (v(list), v(item)) {
                (Some(l), Some(i)) if !i.is_empty() => list_covers(&l, &i),
                _ => false,
            },
        };
        r != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Condition::parse("proxy").unwrap().test,
            Test::Set("proxy".into())
        );
        let c = Condition::parse("!no_proxy ~ host_ip").unwrap();
        assert!(c.negated);
        assert_eq!(c.test, Test::Covers("no_proxy".into(), "host_ip".into()));
        assert_eq!(
            Condition::parse("clone_url ^= git://").unwrap().test,
            Test::StartsWith("clone_url".into(), "git://".into())
        );
        assert!(Condition::parse("a b").is_err());
    }

    #[test]
    fn unknown_facts_do_not_cover() {
        let f = Facts::default();
        assert!(!Condition::parse("no_proxy ~ host_ip").unwrap().holds(&f));
        assert!(Condition::parse("!no_proxy ~ host_ip").unwrap().holds(&f));
        assert!(!Condition::parse("proxy").unwrap().holds(&f));
    }
}
