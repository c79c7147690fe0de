//! Text hygiene for anything that leaves the tool: secrets are masked in
//! evidence and facts, and control sequences in log text are made visible
//! before a terminal sees them (escape sequences are data, not commands).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

static SECRET_RES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r#"(\b[A-Za-z_]*(?:PASSWORD|PASSWD|_PASS|SERVICE_TOKEN|SECRET|_password|_secret)=)('[^']*'|"[^"]*"|\S+)"#, "${1}***"),
        (r#"(?i)(\bidentified by\s+)('\\''[^']*'\\''|'[^']*'|\S+)"#, "${1}'***'"),
        (r#"(?i)(--(?:os-)?password[= ]\s*)\S+"#, "${1}***"),
        (r"(?i)^(The password:\s*)\S.*$", "${1}***"),
        (r"(://[^/\s:@]+:)[^/\s@]+@", "${1}***@"),
        (r"(\bmysql\b.*?\s-p)\s*([^\s-]\S*)", "${1}***"),
    ]
    .into_iter()
    .map(|(re, with)| (Regex::new(re).unwrap(), with))
    .collect()
});

/// Replaces password values with `***`.
pub fn mask_secrets(text: &str) -> Cow<'_, str> {
    let lower_hit = [
        "pass",
        "PASS",
        "identified",
        "IDENTIFIED",
        "SECRET",
        "TOKEN",
        "@",
        "-p",
    ];
    if !lower_hit.iter().any(|k| text.contains(k)) {
        return Cow::Borrowed(text);
    }
    let mut out = Cow::Borrowed(text);
    for (re, with) in SECRET_RES.iter() {
        if let Cow::Owned(s) = re.replace_all(&out, *with) {
            out = Cow::Owned(s);
        }
    }
    out
}

/// Makes control characters visible (`\x1b` becomes `\u{1b}` shown as
/// `^[`), so log text cannot move the cursor or set a title.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push((b'@' + c as u8) as char);
            }
            '\x7f' => out.push_str("^?"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_secrets("MYSQL_PASSWORD=devstack"),
            "MYSQL_PASSWORD=***"
        );
        assert_eq!(
            mask_secrets(
                r"sudo mysql -u root -p devstack -h 127.0.0.1 -e 'GRANT ALL PRIVILEGES ON *.* TO '\''root'\''@'\''%'\'' identified by '\''devstack'\'';'"
            ),
            r"sudo mysql -u root -p*** -h 127.0.0.1 -e 'GRANT ALL PRIVILEGES ON *.* TO '\''root'\''@'\''%'\'' identified by '***';'"
        );
        assert_eq!(
            mask_secrets("The password: secretadmin"),
            "The password: ***"
        );
        assert_eq!(
            mask_secrets("mysql+pymysql://root:devstack@127.0.0.1/nova"),
            "mysql+pymysql://root:***@127.0.0.1/nova"
        );
        assert_eq!(
            mask_secrets("git clone https://opendev.org/x"),
            "git clone https://opendev.org/x"
        );
    }

    #[test]
    fn control_characters_are_visible() {
        assert_eq!(for_terminal("a\x1b]0;pwned\x07b"), "a^[]0;pwned^Gb");
        assert_eq!(for_terminal("plain\ttext"), "plain\ttext");
    }
}
