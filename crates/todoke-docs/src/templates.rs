//! The wording of every document: minijinja templates producing Markdown. The defaults are compiled
//! in; an organization replaces any of them by a file of the same name (`notice_letter.md`…) in a
//! folder its caller reads, without rebuilding todoke.

use crate::DocError;
use minijinja::{Environment, Value};

/// The default templates, by name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("ppc_report.md", include_str!("../templates/ppc_report.md")),
    ("joint_request.md", include_str!("../templates/joint_request.md")),
    ("joint_reply.md", include_str!("../templates/joint_reply.md")),
    ("notice_letter.md", include_str!("../templates/notice_letter.md")),
    ("public_notice.md", include_str!("../templates/public_notice.md")),
    ("press_release.md", include_str!("../templates/press_release.md")),
    ("invoice.md", include_str!("../templates/invoice.md")),
    ("status_report.md", include_str!("../templates/status_report.md")),
];

/// A set of templates: the defaults, some replaced by the organization's own.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates { .. }")
    }
}

impl Default for Templates {
    fn default() -> Self {
        // The defaults are tested to parse; an error here would be a bug caught by the tests.
        Self::with_overrides(Vec::new()).unwrap_or_else(|_| Self { env: environment() })
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Block tags on their own lines leave no blank lines behind: templates stay readable Markdown.
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.add_filter("cell", cell);
    env.add_filter("wareki", wareki);
    env
}

/// A value made safe for one cell of a Markdown table: no pipe, no line break.
fn cell(value: Value) -> String {
    let text = if value.is_none() || value.is_undefined() { String::new() } else { value.to_string() };
    text.replace('|', "｜").replace(['\r', '\n'], " ")
}

/// `2024-01-29` → `令和6年1月29日`; anything else unchanged.
fn wareki(value: Value) -> String {
    let text = value.to_string();
    text.get(..10).and_then(|d| d.parse::<jiff::civil::Date>().ok()).map_or(text.clone(), crate::context::wareki)
}

impl Templates {
    /// The defaults with `overrides` (name, source) put in their place. Unknown names and templates
    /// that do not parse are refused here, not when a document is made.
    pub fn with_overrides(overrides: Vec<(String, String)>) -> Result<Self, DocError> {
        let mut env = environment();
        for (name, source) in DEFAULTS {
            env.add_template(name, source)
                .map_err(|e| DocError::Template { name: (*name).to_string(), message: format!("{e:#}") })?;
        }
        for (name, source) in overrides {
            if !DEFAULTS.iter().any(|(n, _)| *n == name) {
                let known: Vec<&str> = DEFAULTS.iter().map(|(n, _)| *n).collect();
                return Err(DocError::UnknownTemplate(name, known.join(", ")));
            }
            env.add_template_owned(name.clone(), source)
                .map_err(|e| DocError::Template { name, message: format!("{e:#}") })?;
        }
        Ok(Self { env })
    }

    /// The names of the templates an organization may replace.
    pub fn names() -> impl Iterator<Item = &'static str> {
        DEFAULTS.iter().map(|(n, _)| *n)
    }

    /// The default source of a template (to start an organization's own from).
    pub fn default_source(name: &str) -> Option<&'static str> {
        DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    pub(crate) fn render(&self, name: &str, ctx: &serde_json::Value) -> Result<String, DocError> {
        let err = |e: minijinja::Error| DocError::Template { name: name.to_string(), message: format!("{e:#}") };
        let template = self.env.get_template(name).map_err(err)?;
        template.render(minijinja::value::Serde(ctx)).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_defaults_and_unknown_names_are_refused() {
        let t = Templates::with_overrides(vec![("invoice.md".into(), "請求 {{ invoice.total }}".into())]).unwrap();
        let out = t.render("invoice.md", &serde_json::json!({"invoice": {"total": "1,650"}})).unwrap();
        assert_eq!(out, "請求 1,650");
        let err = Templates::with_overrides(vec![("letter.md".into(), String::new())]).unwrap_err();
        assert!(err.to_string().contains("notice_letter.md"), "{err}");
        let err = Templates::with_overrides(vec![("invoice.md".into(), "{% if %}".into())]).unwrap_err();
        assert!(err.to_string().contains("invoice.md"), "{err}");
    }

    #[test]
    fn filters() {
        assert_eq!(cell(Value::from("a|b\nc")), "a｜b c");
        assert_eq!(wareki(Value::from("2024-01-29")), "令和6年1月29日");
        assert_eq!(wareki(Value::from("速やかに")), "速やかに");
    }
}
