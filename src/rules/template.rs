//! `{name}` / `{name|default}` placeholders in summaries and fixes.

/// Renders `template`, looking each name up with `lookup`.
pub fn render(template: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let (name, default) = match inner.split_once('|') {
            Some((n, d)) => (n.trim(), Some(d)),
            None => (inner.trim(), None),
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid {
            out.push('{');
            rest = after;
            continue;
        }
        match lookup(name).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => match default {
                Some(d) => out.push_str(d),
                None => {
                    out.push('<');
                    out.push_str(name);
                    out.push('>');
                }
            },
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn placeholders() {
        let look = |n: &str| (n == "host_ip").then(|| "10.10.105.71".to_string());
        assert_eq!(
            render("export no_proxy={host_ip}", look),
            "export no_proxy=10.10.105.71"
        );
        assert_eq!(render("{user|the user} {x}", look), "the user <x>");
        assert_eq!(render("awk '{print $2}'", look), "awk '{print $2}'");
    }
}
