//! What changed between two editions of a document (速報 → 確報, 第1報 → 第2報): a line diff of
//! their Markdown, told section by section so that a reader sees where each change is.

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    /// In both.
    Same(&'a str),
    /// Only in the old edition.
    Removed(&'a str),
    /// Only in the new edition.
    Added(&'a str),
}

/// The line diff of two texts (longest common subsequence; blank lines ignored).
pub fn diff_lines<'a>(old: &'a str, new: &'a str) -> Vec<Change<'a>> {
    let a: Vec<&str> = old.lines().filter(|l| !l.trim().is_empty()).collect();
    let b: Vec<&str> = new.lines().filter(|l| !l.trim().is_empty()).collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the common length of a[i..] and b[j..], in one flat table.
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let here = if a.get(i) == b.get(j) {
                lcs.get((i + 1) * width + j + 1).copied().unwrap_or(0) + 1
            } else {
                let down = lcs.get((i + 1) * width + j).copied().unwrap_or(0);
                let right = lcs.get(i * width + j + 1).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i * width + j) {
                *cell = here;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i * width + j).copied().unwrap_or(0);
    let mut out = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(Change::Same(x));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                out.push(Change::Removed(x));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(Change::Added(y));
                j += 1;
            }
            (Some(x), None) => {
                out.push(Change::Removed(x));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// A Markdown section telling what changed from `old` to `new`, headed `title`; grouped under the
/// heading of the section each change is in. Says so when nothing changed.
pub fn diff_markdown(title: &str, old: &str, new: &str) -> String {
    let mut out = format!("## {title}\n\n");
    let mut section = "";
    let mut shown_section = None;
    let mut any = false;
    for change in diff_lines(old, new) {
        let (line, mark) = match change {
            Change::Same(l) => {
                if l.starts_with('#') {
                    section = l.trim_start_matches('#').trim();
                }
                continue;
            }
            Change::Removed(l) => (l, "削除"),
            Change::Added(l) => {
                if l.starts_with('#') {
                    section = l.trim_start_matches('#').trim();
                }
                (l, "追加")
            }
        };
        if shown_section != Some(section) {
            out.push_str(&format!("\n### {}\n\n", if section.is_empty() { "冒頭" } else { section }));
            shown_section = Some(section);
        }
        // Table rows and list items are shown as plain text after the mark.
        let text = line.trim().trim_start_matches("- ").trim_matches('|').replace(" | ", "：");
        out.push_str(&format!("- 【{mark}】{}\n", text.trim()));
        any = true;
    }
    if !any {
        out.push_str("変更はありません。\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_matched() {
        let d = diff_lines("a\nb\nc\n", "a\nc\nd\n");
        assert_eq!(d, vec![Change::Same("a"), Change::Removed("b"), Change::Same("c"), Change::Added("d")]);
    }

    #[test]
    fn changes_are_told_per_section() {
        let old = "# 報告\n\n## 3. 本人の数\n\n【不明・調査中】\n\n## 4. 原因\n\nランサムウェア\n";
        let new = "# 報告\n\n## 3. 本人の数\n\n18,950人\n\n## 4. 原因\n\nランサムウェア\n";
        let md = diff_markdown("速報からの変更点", old, new);
        assert_eq!(md, "## 速報からの変更点\n\n\n### 3. 本人の数\n\n- 【削除】【不明・調査中】\n- 【追加】18,950人\n");
        assert!(diff_markdown("x", old, old).contains("変更はありません"));
    }
}
