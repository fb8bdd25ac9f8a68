//! The kinds of documents and the output formats.

use crate::context::Case;

/// A kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// 速報 to the PPC.
    PreliminaryReport,
    /// 確報 to the PPC.
    FinalReport,
    /// 続報 to the PPC.
    FollowUpReport,
    /// Request to a consignor to report jointly (連名報告).
    JointRequest,
    /// The consignor's reply form to the joint-report request.
    JointReply,
    /// Notice letter to an individual (本人通知).
    NoticeLetter,
    /// Public notice for the web (公表 / 代替措置).
    PublicNotice,
    /// Press release.
    PressRelease,
    /// Cost invoice from a consignor to the handler.
    Invoice,
    /// Status report upward (重大事象発生報告書 第N報).
    StatusReport,
}

impl DocKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::PreliminaryReport,
        Self::FinalReport,
        Self::FollowUpReport,
        Self::JointRequest,
        Self::JointReply,
        Self::NoticeLetter,
        Self::PublicNotice,
        Self::PressRelease,
        Self::Invoice,
        Self::StatusReport,
    ];

    /// The key on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Self::PreliminaryReport => "preliminary_report",
            Self::FinalReport => "final_report",
            Self::FollowUpReport => "follow_up_report",
            Self::JointRequest => "joint_request",
            Self::JointReply => "joint_reply",
            Self::NoticeLetter => "notice_letter",
            Self::PublicNotice => "public_notice",
            Self::PressRelease => "press_release",
            Self::Invoice => "invoice",
            Self::StatusReport => "status_report",
        }
    }

    /// The kind with this key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.key() == key)
    }

    /// The template that renders it; the three PPC reports share one.
    pub fn template_name(self) -> &'static str {
        match self {
            Self::PreliminaryReport | Self::FinalReport | Self::FollowUpReport => "ppc_report.md",
            Self::JointRequest => "joint_request.md",
            Self::JointReply => "joint_reply.md",
            Self::NoticeLetter => "notice_letter.md",
            Self::PublicNotice => "public_notice.md",
            Self::PressRelease => "press_release.md",
            Self::Invoice => "invoice.md",
            Self::StatusReport => "status_report.md",
        }
    }

    /// Whether it is a letter with an address block for a window envelope.
    pub fn is_letter(self) -> bool {
        matches!(self, Self::NoticeLetter)
    }

    /// The document's title (the HTML `<title>`).
    pub fn title(self, case: &Case<'_>) -> String {
        let edition = case.edition.max(1);
        match self {
            Self::PreliminaryReport => "個人データ等の漏えい等報告（速報）".into(),
            Self::FinalReport => "個人データ等の漏えい等報告（確報）".into(),
            Self::FollowUpReport => "個人データ等の漏えい等報告（続報）".into(),
            Self::JointRequest => "漏えい等報告の連名での提出について（依頼）".into(),
            Self::JointReply => "漏えい等報告の連名での提出について（回答）".into(),
            Self::NoticeLetter => "個人情報の漏えい等に関するお知らせとお詫び".into(),
            Self::PublicNotice => format!("個人情報の漏えい等に関するお知らせ（第{edition}報）"),
            Self::PressRelease => format!("報道発表資料（第{edition}報）"),
            Self::Invoice => "請求書".into(),
            Self::StatusReport => format!("重大事象発生報告書（第{edition}報）"),
        }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown (CommonMark with tables).
    Markdown,
    /// A complete HTML5 page.
    Html,
    /// PDF (feature `pdf`).
    Pdf,
}

impl Format {
    /// The format with this key (`md`, `html`, `pdf`).
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "md" | "markdown" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::from_key(k.key()), Some(*k));
        }
        assert_eq!(DocKind::from_key("letter"), None);
    }
}
