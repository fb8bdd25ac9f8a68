//! PDF through Typst used as a library: Japanese shaping, 禁則 line breaking and font fallback come
//! from Typst. Fonts are bytes the caller found (the IPAex fonts of Debian's fonts-ipaexfont-*);
//! nothing here touches the file system.
//!
//! Letters: each distinct body is laid out once and, when letters share it, written into the PDF
//! once; every page lays that person's address block (typeset in batches on every core) over it —
//! what makes 20,000 letters take seconds, not minutes (see [`letters_pdf`]).

use crate::DocError;
use crate::context::Recipient;
use crate::letter::{Piece, letter_parts};
use crate::typst_markup::{markdown_to_typst, typst_string};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::layout::{Frame, FrameItem, GroupItem, Point};
use typst::model::{Document as _, DocumentInfo};
use typst::syntax::{FileId, Source, Span};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::visualize::Image;
use typst::{Library, LibraryExt as _, World};
use typst_layout::{Page, PagedDocument};

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
    /// The one file a document may read: a letter body's PDF at [`BODY_PDF`].
    body_pdf: Option<Bytes>,
}

/// Where a letter body's PDF is found when it is loaded as an image.
const BODY_PDF: &str = "/letter-body.pdf";

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

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        // Generated documents include no files but a letter body's PDF: nothing else may be read.
        match &self.body_pdf {
            Some(pdf) if id.vpath().get_with_slash() == BODY_PDF => Ok(pdf.clone()),
            _ => Err(FileError::AccessDenied),
        }
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
/// line breaking; and the two halves of a letter page.
const PREAMBLE: &str = r#"#set document(title: TITLE)
#set page(paper: "a4", margin: (top: 20mm, bottom: 18mm, left: 20mm, right: 20mm))
#set text(font: ("IPAexMincho", "IPAexGothic"), size: 10.5pt, lang: "ja", region: "JP")
#set par(justify: true, leading: 0.75em, spacing: 0.9em)
#show heading: set text(font: "IPAexGothic", weight: "regular")
#show heading.where(level: 1): set align(center)
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 2): set text(size: 11pt)
#show heading.where(level: 3): set text(size: 10.5pt)
#let window(postal, address, name, reference) = {
  // The address block sits in the window of a 長3 envelope (A4 folded in three, the window about
  // 90 x 45 mm, 23 mm from the left and 13 mm from the top): here 25 mm from the left edge and
  // 18 mm from the top, within 85 x 37 mm, so that it shows however the sheet slides.
  place(top + left, dx: 5mm, dy: -2mm, block(width: 85mm, height: 37mm, clip: true, {
    set text(font: "IPAexGothic", size: 10pt)
    set par(justify: false, leading: 0.5em)
    // The notice's number, small above the address (where mailings print their 管理番号),
    // matches a returned letter to its notice.
    if reference != "" [#text(size: 7pt, reference) \ ]
    if postal != "" [〒#postal \ ]
    address
    v(4mm)
    text(size: 13pt, name + " 様")
  }))
}
#let letter(size, date, sender, body) = {
  // As Japanese letters have them: the date flush right at the top (above the address block's
  // first line, so that text extraction reads it first, not in the middle of the name); the
  // sender flush right under the window, above the title.
  place(top + right, dy: -9mm, date)
  set text(size: size)
  pad(top: 42mm, {
    set par(justify: false)
    align(right, sender)
  } + body)
}
"#;

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}

fn typeset(fonts: &Fonts, title: &str, body: &str) -> Result<PagedDocument, DocError> {
    let mut text = PREAMBLE.replacen("TITLE", &typst_string(title), 1);
    text.push_str(body);
    let job = Job { fonts, main: Source::detached(text), body_pdf: None };
    typst::compile(&job).output.map_err(|errors| DocError::Typeset(diagnostics(&errors)))
}

fn compile(fonts: &Fonts, title: &str, body: &str) -> Result<Vec<u8>, DocError> {
    let document = typeset(fonts, title, body)?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| DocError::Typeset(diagnostics(&errors)))
}

/// Text sizes tried, largest first, until a letter fits on one page.
const SIZES: [&str; 5] = ["10.5pt", "9.5pt", "8.5pt", "7.5pt", "6.5pt"];

/// Address blocks typeset in one Typst document: at most this many, so that a run is cut into
/// enough batches to keep every core busy, and at least [`MIN_BATCH`], so that a document's fixed
/// cost does not count.
const MAX_BATCH: usize = 1000;
/// See [`MAX_BATCH`].
const MIN_BATCH: usize = 50;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

/// A letter's parts as Typst markup: date, sender's block and body (closings flush right).
fn letter_typst(markdown: &str) -> (String, String, String) {
    let parts = letter_parts(markdown);
    let mut body = String::new();
    for piece in &parts.body {
        match piece {
            Piece::Text(text) => body.push_str(&markdown_to_typst(text)),
            Piece::Closing(word) => body.push_str(&format!("#align(right)[{word}]\n\n")),
        }
    }
    (markdown_to_typst(&parts.date), markdown_to_typst(&parts.sender), body)
}

/// A letter body laid out once, to be put under each of its recipients' address blocks.
enum Body {
    /// A body many letters share: a one-page PDF shown as each page's background, so that the
    /// letters' PDF holds it once (a form XObject) and each page only refers to it — what makes
    /// 20,000 letters take seconds.
    Shared(Image),
    /// A body of one letter: its frame, set on the page like any other.
    Own(Frame),
}

/// One letter body without an address block, at the largest size at which it stays on one page.
fn body_layout(fonts: &Fonts, markdown: &str, shared: bool) -> Result<(Body, DocumentInfo), DocError> {
    let (date, sender, body) = letter_typst(markdown);
    let title = title_of(markdown);
    for size in SIZES {
        let text = format!("#letter({size}, [\n{date}\n], [\n{sender}\n], [\n{body}\n])\n");
        let document = typeset(fonts, &title, &text)?;
        // The smallest size holds (10.5 / 6.5)² ≈ 2.6 times what the largest does: a body longer
        // than three pages at the largest fits at none, and trying every size would take long.
        if document.pages().len() > 3 {
            break;
        }
        if let [page] = document.pages() {
            let layout = if shared {
                let pdf = typst_pdf::pdf(&document, &untagged_pdf())
                    .map_err(|errors| DocError::Typeset(diagnostics(&errors)))?;
                Body::Shared(pdf_image(fonts, pdf)?)
            } else {
                Body::Own(untagged(&page.frame))
            };
            return Ok((layout, document.info().clone()));
        }
    }
    Err(DocError::Case(format!(
        "the letter does not fit on one page even in {} type: shorten the template or the case's texts",
        SIZES.last().copied().unwrap_or_default()
    )))
}

/// A one-page PDF as a Typst image of the size of the page (loaded through Typst, which parses it
/// once).
fn pdf_image(fonts: &Fonts, pdf: Vec<u8>) -> Result<Image, DocError> {
    let text = format!("#set page(margin: 0pt)\n#image({}, width: 100%, height: 100%)\n", typst_string(BODY_PDF));
    let job = Job { fonts, main: Source::detached(text), body_pdf: Some(Bytes::new(pdf)) };
    let document =
        typst::compile::<PagedDocument>(&job).output.map_err(|errors| DocError::Typeset(diagnostics(&errors)))?;
    document
        .pages()
        .iter()
        .find_map(|page| first_image(&page.frame))
        .ok_or_else(|| DocError::Typeset("the letter body did not load as an image".into()))
}

fn first_image(frame: &Frame) -> Option<Image> {
    frame.items().find_map(|(_, item)| match item {
        FrameItem::Image(image, _, _) => Some(image.clone()),
        FrameItem::Group(group) => first_image(&group.frame),
        _ => None,
    })
}

/// Letters are printed and mailed: an untagged PDF, made in about half the time and size.
fn untagged_pdf() -> typst_pdf::PdfOptions {
    typst_pdf::PdfOptions { tagged: false, ..typst_pdf::PdfOptions::default() }
}

/// One page per recipient carrying only the address block.
fn window_pages(fonts: &Fonts, recipients: &[&Recipient]) -> Result<Vec<Page>, DocError> {
    let mut text = String::new();
    for (n, r) in recipients.iter().enumerate() {
        if n > 0 {
            text.push_str("#pagebreak()\n");
        }
        text.push_str(&format!(
            "#window({}, {}, {}, {})\n",
            typst_string(r.postal_code.as_deref().unwrap_or("")),
            typst_string(r.address.as_deref().unwrap_or("")),
            typst_string(&r.name),
            typst_string(r.reference.as_deref().unwrap_or("")),
        ));
    }
    let pages = typeset(fonts, "todoke", &text)?.pages().to_vec();
    if pages.len() != recipients.len() {
        return Err(DocError::Typeset(format!("{} address blocks gave {} pages", recipients.len(), pages.len())));
    }
    Ok(pages)
}

/// A frame without its introspection tags: the pages of a letter run are put together from frames
/// of several compilations, whose element locations mean nothing in the combined document.
fn untagged(frame: &Frame) -> Frame {
    let mut out = Frame::new(frame.size(), frame.kind());
    if frame.has_baseline() {
        out.set_baseline(frame.baseline());
    }
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Tag(_) => {}
            FrameItem::Group(group) => {
                let mut group = group.clone();
                group.frame = untagged(&group.frame);
                group.parent = None;
                out.push(*pos, FrameItem::Group(group));
            }
            other => out.push(*pos, other.clone()),
        }
    }
    out
}

/// `f` over `items` on every core, results in the order of `items`.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, DocError> + Sync,
) -> Result<Vec<R>, DocError> {
    let workers = cores().min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<R, DocError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break done };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| DocError::Typeset("a typesetting thread panicked".into())))
            .collect::<Result<Vec<_>, _>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// One page per letter: each recipient's address block in the envelope window and the letter's
/// body (Markdown) under it, the date and the sender flush right.
///
/// Fast for tens of thousands of letters: each distinct body is laid out once (and, when letters
/// share it, embedded in the PDF once), the address blocks are typeset in batches on every core,
/// and each page is put together from the two. The PDF is not tagged: letters are printed and
/// mailed, and tags cost about twice the time and size.
pub fn letters_pdf<'a>(
    letters: impl IntoIterator<Item = (&'a Recipient, &'a str)>,
    fonts: &Fonts,
) -> Result<Vec<u8>, DocError> {
    // The distinct bodies with how many letters use each, and each letter's body.
    let mut distinct: Vec<(&str, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut recipients: Vec<&Recipient> = Vec::new();
    let mut body_of: Vec<usize> = Vec::new();
    for (recipient, markdown) in letters {
        let next = distinct.len();
        let i = *index.entry(markdown).or_insert(next);
        match distinct.get_mut(i) {
            Some((_, uses)) => *uses += 1,
            None => distinct.push((markdown, 1)),
        }
        recipients.push(recipient);
        body_of.push(i);
    }
    if recipients.is_empty() {
        return Err(DocError::Case("no letters to print".into()));
    }
    let bodies = in_parallel(&distinct, |(markdown, uses)| body_layout(fonts, markdown, *uses > 1))?;
    let batch = recipients.len().div_ceil(cores() * 4).clamp(MIN_BATCH, MAX_BATCH);
    let batches: Vec<&[&Recipient]> = recipients.chunks(batch).collect();
    let windows = in_parallel(&batches, |batch| window_pages(fonts, batch))?;

    let info = bodies.first().map(|(_, info)| info.clone()).unwrap_or_default();
    let mut pages = Vec::with_capacity(recipients.len());
    for (n, (mut page, body)) in windows.into_iter().flatten().zip(body_of).enumerate() {
        let size = page.frame.size();
        let mut frame = Frame::new(size, page.frame.kind());
        match bodies.get(body) {
            Some((Body::Shared(image), _)) => {
                frame.push(Point::zero(), FrameItem::Image(image.clone(), size, Span::detached()));
            }
            Some((Body::Own(own), _)) => frame.push(Point::zero(), FrameItem::Group(GroupItem::new(own.clone()))),
            None => {}
        }
        frame.push(Point::zero(), FrameItem::Group(GroupItem::new(untagged(&page.frame))));
        page.frame = frame;
        page.number = n as u64 + 1;
        pages.push(page);
    }
    let document = PagedDocument::new(pages.into_iter().collect(), info);
    typst_pdf::pdf(&document, &untagged_pdf()).map_err(|errors| DocError::Typeset(diagnostics(&errors)))
}
