//! PDF through Typst used as a library: Japanese shaping, 禁則 line breaking and font fallback come
//! from Typst. Fonts are bytes the caller found (the IPAex fonts of Debian's fonts-ipaexfont-*);
//! nothing here touches the file system.
//!
//! Letters: the body is defined once per distinct text and every page calls it, so Typst's
//! memoization lays the body out once however many people there are — what makes 10,000 letters
//! take seconds, not minutes.

use crate::DocError;
use crate::context::Recipient;
use crate::typst_markup::{markdown_to_typst, typst_string};
use std::collections::HashMap;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt as _, World};
use typst_layout::PagedDocument;

/// The fonts documents are set in, loaded once and shared by every compilation.
pub struct Fonts {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").field("count", &self.fonts.len()).finish()
    }
}

impl Fonts {
    /// Loads fonts from their files' bytes (`name` only names the font in errors). The body text is
    /// set in IPAex明朝 and headings in IPAexゴシック: give both.
    pub fn new(files: Vec<(String, Vec<u8>)>) -> Result<Self, DocError> {
        let mut fonts = Vec::new();
        for (name, data) in files {
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(data)));
            if fonts.len() == before {
                return Err(DocError::Font(name));
            }
        }
        let book = FontBook::from_fonts(fonts.iter());
        Ok(Self { library: LazyHash::new(Library::default()), book: LazyHash::new(book), fonts })
    }

    /// The family names loaded (to check that what documents ask for is there).
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        names.dedup();
        names
    }
}

/// One compilation: the shared fonts and the generated main file.
struct Job<'a> {
    fonts: &'a Fonts,
    main: Source,
}

impl World for Job<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.fonts.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        // Generated documents include no files: nothing may be read.
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Documents carry their date as text; no clock here.
        None
    }
}

/// Page set-up and styles shared by every document: A4, 明朝 body, ゴシック headings, Japanese
/// line breaking.
const PREAMBLE: &str = r#"#set document(title: TITLE)
#set page(paper: "a4", margin: (top: 20mm, bottom: 18mm, left: 20mm, right: 20mm))
#set text(font: ("IPAexMincho", "IPAexGothic"), size: 10.5pt, lang: "ja", region: "JP")
#set par(justify: true, leading: 0.75em, spacing: 0.9em)
#show heading: set text(font: "IPAexGothic", weight: "regular")
#show heading.where(level: 1): set align(center)
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 2): set text(size: 11pt)
#show heading.where(level: 3): set text(size: 10.5pt)
#let letter(size, postal, address, name, body) = {
  // The address block sits in the window of a 長3 envelope (A4 folded in three): about 25 mm from
  // the left edge and 15 mm from the top, within 85 x 40 mm.
  place(top + left, dx: 5mm, dy: -5mm, block(width: 85mm, height: 40mm, clip: true, {
    set text(font: "IPAexGothic", size: 10pt)
    set par(justify: false, leading: 0.5em)
    if postal != "" [〒#postal \ ]
    address
    v(4mm)
    text(size: 13pt, name + " 様")
  }))
  set text(size: size)
  pad(top: 42mm, body)
}
"#;

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}

fn typeset(fonts: &Fonts, title: &str, body: &str) -> Result<PagedDocument, DocError> {
    let mut text = PREAMBLE.replacen("TITLE", &typst_string(title), 1);
    text.push_str(body);
    let job = Job { fonts, main: Source::detached(text) };
    typst::compile(&job).output.map_err(|errors| DocError::Typeset(diagnostics(&errors)))
}

fn compile(fonts: &Fonts, title: &str, body: &str) -> Result<Vec<u8>, DocError> {
    let document = typeset(fonts, title, body)?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| DocError::Typeset(diagnostics(&errors)))
}

/// Text sizes tried, largest first, until a letter fits on one page.
const SIZES: [&str; 5] = ["10.5pt", "9.5pt", "8.5pt", "7.5pt", "6.5pt"];

/// The largest text size at which a letter body stays on one page: one small trial document per
/// size, once per distinct body — far cheaper than measuring on every page.
fn fitting_size(fonts: &Fonts, body: &str) -> Result<&'static str, DocError> {
    for size in SIZES {
        let trial = format!("#let body = [\n{body}\n]\n#letter({size}, \"000-0000\", \"\", \"\", body)\n");
        if typeset(fonts, "fit", &trial)?.pages().len() <= 1 {
            return Ok(size);
        }
    }
    Ok("6.5pt")
}

fn title_of(markdown: &str) -> String {
    markdown.lines().find_map(|l| l.strip_prefix("# ")).map_or_else(|| "todoke".to_string(), |t| t.trim().to_string())
}

/// A PDF of one Markdown document; with a recipient, laid out as a letter for a window envelope.
pub fn markdown_pdf(markdown: &str, recipient: Option<&Recipient>, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    match recipient {
        Some(r) => letters_pdf(std::iter::once((r, markdown)), fonts),
        None => compile(fonts, &title_of(markdown), &markdown_to_typst(markdown)),
    }
}

/// One page per letter: each recipient's address block in the envelope window and the letter's
/// body (Markdown) under it. Letters with the same body share one layout.
pub fn letters_pdf<'a>(
    letters: impl IntoIterator<Item = (&'a Recipient, &'a str)>,
    fonts: &Fonts,
) -> Result<Vec<u8>, DocError> {
    let mut bodies: HashMap<&str, (usize, &'static str)> = HashMap::new();
    let mut defs = String::new();
    let mut pages = String::new();
    let mut title = None;
    for (n, (recipient, markdown)) in letters.into_iter().enumerate() {
        let next = bodies.len();
        let index = match bodies.get(markdown) {
            Some((index, _)) => *index,
            None => {
                let typst = markdown_to_typst(markdown);
                let size = fitting_size(fonts, &typst)?;
                defs.push_str(&format!("#let body{next} = [\n{typst}\n]\n"));
                bodies.insert(markdown, (next, size));
                next
            }
        };
        let size = bodies.get(markdown).map_or("10.5pt", |(_, size)| *size);
        title.get_or_insert_with(|| title_of(markdown));
        if n > 0 {
            pages.push_str("#pagebreak()\n");
        }
        pages.push_str(&format!(
            "#letter({size}, {}, {}, {}, body{index})\n",
            typst_string(recipient.postal_code.as_deref().unwrap_or("")),
            typst_string(recipient.address.as_deref().unwrap_or("")),
            typst_string(&recipient.name),
        ));
    }
    if pages.is_empty() {
        return Err(DocError::Case("no letters to print".into()));
    }
    defs.push_str(&pages);
    compile(fonts, title.as_deref().unwrap_or("todoke"), &defs)
}
