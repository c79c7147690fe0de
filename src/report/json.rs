//! `--format json`: one object per input, one per line.

use std::io::{self, Write};

use super::Report;

pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_input_has_every_field() {
        let mut buf = vec![];
        write(
            &mut buf,
            &Report::unreadable("x.log".into(), "x.log: cannot open".into()),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        for key in [
            "schema",
            "input",
            "kind",
            "outcome",
            "root_cause",
            "failure_point",
            "findings",
            "error",
        ] {
            assert!(v.get(key).is_some(), "{key} missing");
        }
        assert_eq!(v.as_object().unwrap().len(), 8);
    }
}
