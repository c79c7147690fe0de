//! `--include`/`--exclude` globs, translated to regexes.
//!
//! The syntax is the shell's and ripgrep's: `*` and `?` stay within one path
//! component, `**` crosses components, `[abc]`/`[!abc]` are classes and
//! `{a,b}` alternatives. A glob without `/` is matched against the file (or
//! directory) name; one with `/` against the path relative to the directory
//! the scan was given.

use regex::Regex;

#[derive(Debug, Clone)]
pub struct Glob {
    source: String,
    regex: Regex,
    whole_path: bool,
}

impl Glob {
    pub fn new(glob: &str) -> Result<Glob, String> {
        let bad = |why: &str| format!("glob `{glob}`: {why}");
        let chars: Vec<char> = glob.chars().collect();
        let mut re = String::from("^");
        let mut i = 0;
        let mut braces = 0usize;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    i += 1;
                    if chars.get(i + 1) == Some(&'/') {
                        i += 1;
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '[' => {
                    let end = chars[i + 1..]
                        .iter()
                        .skip(1)
                        .position(|&c| c == ']')
                        .map(|p| i + 2 + p)
                        .ok_or_else(|| bad("`[` without `]`"))?;
                    let mut class: String = chars[i + 1..end].iter().collect();
                    if let Some(rest) = class.strip_prefix('!') {
                        class = format!("^{rest}");
                    }
                    re.push('[');
                    re.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                    re.push(']');
                    i = end;
                }
                '{' => {
                    braces += 1;
                    re.push_str("(?:");
                }
                '}' if braces > 0 => {
                    braces -= 1;
                    re.push(')');
                }
                ',' if braces > 0 => re.push('|'),
                '\\' if i + 1 < chars.len() => {
                    i += 1;
                    re.push_str(&regex::escape(&chars[i].to_string()));
                }
                c => re.push_str(&regex::escape(&c.to_string())),
            }
            i += 1;
        }
        if braces > 0 {
            return Err(bad("`{` without `}`"));
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| bad(&e.to_string()))?;
        Ok(Glob {
            source: glob.to_string(),
            regex,
            whole_path: glob.contains('/'),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the entry `relative` (its path below the scanned directory,
    /// `/`-separated) matches.
    pub fn matches(&self, relative: &str) -> bool {
        if self.whole_path {
            self.regex.is_match(relative)
        } else {
            let name = relative.rsplit('/').next().unwrap_or(relative);
            self.regex.is_match(name)
        }
    }
}

/// The include and exclude lists of one scan.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub include: Vec<Glob>,
    pub exclude: Vec<Glob>,
}

impl Filter {
    /// Whether a directory found by the walk is entered.
    pub fn enters(&self, relative: &str) -> bool {
        !self.exclude.iter().any(|g| g.matches(relative))
    }

    /// Whether a file found by the walk is scanned.
    pub fn takes(&self, relative: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|g| g.matches(relative)))
            && !self.exclude.iter().any(|g| g.matches(relative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, path: &str) -> bool {
        Glob::new(glob).unwrap().matches(path)
    }

    #[test]
    fn names_and_paths() {
        assert!(m("*.log", "a/b/stack.sh.log"));
        assert!(!m("*.log", "a/b/stack.sh.log.gz"));
        assert!(m("*.{log,gz}", "a/b/stack.sh.log.gz"));
        assert!(m("stack.sh.log*", "job/stack.sh.log.2016-04-29"));
        assert!(m("logs/*.txt", "logs/x.txt"));
        assert!(!m("logs/*.txt", "logs/y/x.txt"));
        assert!(m("logs/**/*.txt", "logs/y/z/x.txt"));
        assert!(m("**/worlddump-*", "a/b/worlddump-2016.txt"));
        assert!(m("job-0[0-4]?", "job-042"));
        assert!(!m("job-0[!0-4]?", "job-042"));
        assert!(m("a+b(c).log", "a+b(c).log"));
    }

    #[test]
    fn broken_globs_are_errors() {
        assert!(Glob::new("[abc").is_err());
        assert!(Glob::new("{a,b").is_err());
    }

    #[test]
    fn filter_excludes_win() {
        let f = Filter {
            include: vec![Glob::new("*.log").unwrap()],
            exclude: vec![Glob::new("old-*").unwrap()],
        };
        assert!(f.takes("x/new.log"));
        assert!(!f.takes("x/old-1.log"));
        assert!(!f.takes("x/new.txt"));
        assert!(!f.enters("old-2026"));
        assert!(f.enters("new"));
    }
}
