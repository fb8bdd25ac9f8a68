//! The columns of a list: the names CONTRACTS.md §3 gives them in Japanese and English, and a
//! mapping file for lists whose headers say something else.

use crate::error::{PeopleError, Result};
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

/// A column todoke understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// 委託元 / party.
    Party,
    /// 氏名 / name.
    Name,
    /// フリガナ / name_kana.
    Kana,
    /// 生年月日 / birth_date.
    BirthDate,
    /// 性別 / sex.
    Sex,
    /// 郵便番号 / postal_code.
    PostalCode,
    /// 住所 / address.
    Address,
    /// 電話番号 / phone.
    Phone,
    /// メールアドレス / email.
    Email,
    /// ID / person_id.
    PersonId,
    /// 区分 / group.
    Group,
}

impl Field {
    /// Every field, in the order of the output files.
    pub const ALL: [Field; 11] = [
        Field::Party,
        Field::Name,
        Field::Kana,
        Field::BirthDate,
        Field::Sex,
        Field::PostalCode,
        Field::Address,
        Field::Phone,
        Field::Email,
        Field::PersonId,
        Field::Group,
    ];

    /// The English header (and the key used in mapping files).
    pub fn key(self) -> &'static str {
        match self {
            Field::Party => "party",
            Field::Name => "name",
            Field::Kana => "name_kana",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::PostalCode => "postal_code",
            Field::Address => "address",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::PersonId => "person_id",
            Field::Group => "group",
        }
    }

    /// The Japanese header todoke writes.
    pub fn ja(self) -> &'static str {
        match self {
            Field::Party => "委託元",
            Field::Name => "氏名",
            Field::Kana => "フリガナ",
            Field::BirthDate => "生年月日",
            Field::Sex => "性別",
            Field::PostalCode => "郵便番号",
            Field::Address => "住所",
            Field::Phone => "電話番号",
            Field::Email => "メールアドレス",
            Field::PersonId => "ID",
            Field::Group => "区分",
        }
    }

    /// The other headers of §3 (and a few common spellings) that name this field.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Party => &["委託元", "party"],
            Field::Name => &["氏名", "name", "名前", "漢字氏名"],
            Field::Kana => &["フリガナ", "カナ", "name_kana", "ふりがな", "カナ氏名", "氏名カナ", "kana"],
            Field::BirthDate => &["生年月日", "birth_date", "birthdate", "誕生日"],
            Field::Sex => &["性別", "sex", "gender"],
            Field::PostalCode => &["郵便番号", "postal_code", "〒", "zip"],
            Field::Address => &["住所", "address"],
            Field::Phone => &["電話番号", "phone", "電話", "tel"],
            Field::Email => &["メールアドレス", "email", "メール", "e-mail", "mail"],
            Field::PersonId => &["ID", "受診者番号", "person_id"],
            Field::Group => &["区分", "group"],
        }
    }

    /// The field a header names, if any: width, case and spaces do not matter.
    pub fn from_header(header: &str) -> Option<Field> {
        let h = fold_header(header);
        Self::ALL.into_iter().find(|f| f.aliases().iter().any(|a| fold_header(a) == h))
    }
}

fn fold_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').nfkc().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Extra header names for lists that do not use §3's: `"お名前" = "name"` lines in a TOML file.
#[derive(Debug, Clone, Default)]
pub struct ColumnMapping {
    extra: FxHashMap<String, Field>,
}

impl ColumnMapping {
    /// Reads a mapping: each key is a header as it appears in the list, each value a field
    /// (`name`, `氏名`, `birth_date` … as in §3). `file` names the file in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| PeopleError::Config { file: file.into(), message: one_line(&e, text) })?;
        let mut extra = FxHashMap::default();
        for (header, value) in table {
            let field = value.as_str().and_then(Field::from_header).ok_or_else(|| PeopleError::Config {
                file: file.into(),
                message: format!("`{header}`: expected one of {}", Field::ALL.map(Field::key).join(", ")),
            })?;
            extra.insert(fold_header(&header), field);
        }
        Ok(Self { extra })
    }

    /// The field a header names, by this mapping first, then by §3.
    pub fn field(&self, header: &str) -> Option<Field> {
        self.extra.get(&fold_header(header)).copied().or_else(|| Field::from_header(header))
    }
}

/// TOML errors span several lines with a caret; the contract wants one line.
pub(crate) fn one_line(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {msg}")
        }
        None => msg,
    }
}

/// Where each field is in the rows of one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnMap {
    index: [Option<usize>; Field::ALL.len()],
}

impl ColumnMap {
    /// The map for a header row; unknown columns are ignored, a field named twice is an error
    /// (returns the 0-based column of the second).
    pub(crate) fn from_headers<'a>(
        headers: impl IntoIterator<Item = &'a str>,
        mapping: &ColumnMapping,
    ) -> std::result::Result<Self, (usize, Field)> {
        let mut map = Self::default();
        for (i, h) in headers.into_iter().enumerate() {
            if let Some(f) = mapping.field(h)
                && !map.set(f, i)
            {
                return Err((i, f));
            }
        }
        Ok(map)
    }

    /// The map of rows that hold every field in the order of [`Field::ALL`].
    pub(crate) fn canonical() -> Self {
        let mut map = Self::default();
        for (i, f) in Field::ALL.into_iter().enumerate() {
            map.set(f, i);
        }
        map
    }

    /// Sets the column of `f`; false when it had one already.
    fn set(&mut self, f: Field, column: usize) -> bool {
        match self.index.get_mut(f as usize) {
            Some(slot @ None) => {
                *slot = Some(column);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn get(&self, f: Field) -> Option<usize> {
        self.index.get(f as usize).copied().flatten()
    }

    pub(crate) fn has(&self, f: Field) -> bool {
        self.get(f).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_english_and_wide_headers() {
        assert_eq!(Field::from_header("氏名"), Some(Field::Name));
        assert_eq!(Field::from_header(" Name "), Some(Field::Name));
        assert_eq!(Field::from_header("カナ"), Some(Field::Kana));
        assert_eq!(Field::from_header("ｶﾅ"), Some(Field::Kana));
        assert_eq!(Field::from_header("受診者番号"), Some(Field::PersonId));
        assert_eq!(Field::from_header("ＩＤ"), Some(Field::PersonId));
        assert_eq!(Field::from_header("\u{feff}委託元"), Some(Field::Party));
        assert_eq!(Field::from_header("備考"), None);
    }

    #[test]
    fn a_mapping_adds_headers_and_names_bad_values() {
        let m = ColumnMapping::parse("map.toml", "\"お名前\" = \"name\"\n\"生年月日(和暦)\" = \"生年月日\"\n").unwrap();
        assert_eq!(m.field("お名前"), Some(Field::Name));
        assert_eq!(m.field("生年月日(和暦)"), Some(Field::BirthDate));
        assert_eq!(m.field("住所"), Some(Field::Address));
        let err = ColumnMapping::parse("map.toml", "\"x\" = \"nonsense\"").unwrap_err().to_string();
        assert!(err.contains("map.toml") && err.contains("birth_date"), "{err}");
    }

    #[test]
    fn a_field_named_twice_is_refused() {
        let m = ColumnMapping::default();
        assert_eq!(ColumnMap::from_headers(["氏名", "name"], &m).unwrap_err(), (1, Field::Name));
        let map = ColumnMap::from_headers(["備考", "氏名"], &m).unwrap();
        assert_eq!(map.get(Field::Name), Some(1));
        assert!(!map.has(Field::Party));
    }
}
