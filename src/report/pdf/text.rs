//! Text for the standard fonts: encoding to WinAnsi, measuring with the
//! fonts' own widths ([`super::metrics`]), wrapping and clipping to a width.
//!
//! The standard 14 fonts need no font file but only show WinAnsi
//! (Windows-1252) text. Every string goes through [`encode`]: Latin-1 and
//! the Windows-1252 punctuation (`…`, `·`, `—`, curly quotes, `•`, `€`) map
//! to their codes; a few common symbols are transliterated (`→` to `->`,
//! `≥` to `>=`, `✓` to `v`...); control characters become spaces; anything
//! else (Cyrillic, CJK, emoji) becomes `?`. After encoding, one byte is one
//! glyph, so measuring and cutting never split a character.

use super::metrics;

/// One of the three standard fonts the PDF uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
    /// Courier (identifiers, evidence).
    Mono,
}

impl Font {
    /// Every font, in resource order.
    pub const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    /// The resource name in page dictionaries.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
            Font::Mono => b"F3",
        }
    }

    /// The standard font's PostScript name.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
            Font::Mono => b"Courier",
        }
    }

    /// Advance width of one WinAnsi code, in 1/1000 em.
    fn advance(self, code: u8) -> u16 {
        match self {
            Font::Mono => metrics::COURIER,
            Font::Regular | Font::Bold => {
                let table = if self == Font::Bold {
                    &metrics::HELVETICA_BOLD
                } else {
                    &metrics::HELVETICA
                };
                code.checked_sub(32)
                    .and_then(|i| table.get(usize::from(i)))
                    .copied()
                    .unwrap_or(0)
            }
        }
    }
}

/// The WinAnsi code of the horizontal ellipsis, used to mark cut text.
pub const ELLIPSIS: u8 = 0x85;

/// The WinAnsi code of a character Windows-1252 has outside Latin-1.
fn cp1252_extra(c: char) -> Option<u8> {
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// ASCII stand-ins for symbols WinAnsi lacks but reports use.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        '→' | '⟶' | '⇒' => "->",
        '←' | '⟵' | '⇐' => "<-",
        '↔' | '⇔' => "<->",
        '≥' => ">=",
        '≤' => "<=",
        '≠' => "!=",
        '≈' => "~",
        '✓' | '✔' => "v",
        '✗' | '✘' => "x",
        '−' | '‐' | '‑' | '‒' => "-",
        '″' => "\"",
        '′' => "'",
        '\u{2009}' | '\u{200A}' | '\u{202F}' | '\u{2002}' | '\u{2003}' => " ",
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' => "",
        _ => return None,
    })
}

/// Encodes `s` as WinAnsi bytes. Line feeds are kept (as `\n`) for
/// [`wrap`] to break on; every other control character becomes a space;
/// characters with no WinAnsi code and no transliteration become `?`.
pub fn encode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push(b'\n'),
            ' '..='~' => out.push(c as u8),
            c if c.is_control() => out.push(b' '),
            c => {
                if let Some(t) = transliterate(c) {
                    out.extend_from_slice(t.as_bytes());
                } else if let Some(b) = cp1252_extra(c) {
                    out.push(b);
                } else if ('\u{A0}'..='\u{FF}').contains(&c) {
                    out.push(c as u32 as u8);
                } else {
                    out.push(b'?');
                }
            }
        }
    }
    out
}

/// Width of WinAnsi `text` in `font` at `size` points.
pub fn width(text: &[u8], font: Font, size: f32) -> f32 {
    let units: u32 = text.iter().map(|b| u32::from(font.advance(*b))).sum();
    units as f32 * size / 1000.0
}

/// Cuts `text` to fit `max` points, ending it with an ellipsis when cut.
pub fn clip(text: &[u8], font: Font, size: f32, max: f32) -> Vec<u8> {
    let line: Vec<u8> = text.iter().map(|b| if *b == b'\n' { b' ' } else { *b }).collect();
    if width(&line, font, size) <= max {
        return line;
    }
    let room = max - width(&[ELLIPSIS], font, size);
    let mut used = 0.0;
    let mut out = Vec::new();
    for b in line {
        let w = width(&[b], font, size);
        if used + w > room {
            break;
        }
        used += w;
        out.push(b);
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

/// Breaks `text` into lines no wider than `max` points: at spaces where it
/// can, inside a word when the word alone is too wide, and at every `\n`.
/// At most `max_lines` lines are returned; the last one ends in an
/// ellipsis when text was left out.
pub fn wrap(text: &[u8], font: Font, size: f32, max: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut truncated = false;
    'paragraphs: for para in text.split(|b| *b == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        for word in para.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
            let candidate_w = if line.is_empty() {
                width(word, font, size)
            } else {
                width(&line, font, size) + width(b" ", font, size) + width(word, font, size)
            };
            if candidate_w <= max {
                if !line.is_empty() {
                    line.push(b' ');
                }
                line.extend_from_slice(word);
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                if lines.len() >= max_lines {
                    truncated = true;
                    break 'paragraphs;
                }
            }
            // The word starts a line; cut it where it is too wide.
            let mut rest = word;
            while width(rest, font, size) > max {
                let mut used = 0.0;
                let mut n = 0;
                for b in rest {
                    let w = width(&[*b], font, size);
                    if used + w > max && n > 0 {
                        break;
                    }
                    used += w;
                    n += 1;
                }
                lines.push(rest[..n].to_vec());
                rest = &rest[n..];
                if lines.len() >= max_lines {
                    truncated = !rest.is_empty();
                    break 'paragraphs;
                }
            }
            line.extend_from_slice(rest);
        }
        lines.push(line);
        if lines.len() >= max_lines {
            truncated = true;
            break;
        }
    }
    // Only mark a cut when something real was left out.
    if truncated
        && text_after(text, &lines)
        && let Some(last) = lines.last_mut()
    {
        let mut with = last.clone();
        with.push(ELLIPSIS);
        *last = if width(&with, font, size) <= max {
            with
        } else {
            clip(&with, font, size, max)
        };
    }
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// True when `text` has more non-blank bytes than `lines` hold.
fn text_after(text: &[u8], lines: &[Vec<u8>]) -> bool {
    let shown: usize = lines
        .iter()
        .map(|l| l.iter().filter(|b| !b.is_ascii_whitespace()).count())
        .sum();
    let all = text.iter().filter(|b| !b.is_ascii_whitespace()).count();
    all > shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_maps_punctuation_transliterates_arrows_and_replaces_the_rest() {
        assert_eq!(
            encode("a → b … c · d — “e”"),
            b"a -> b \x85 c \xb7 d \x97 \x93e\x94".to_vec()
        );
        assert_eq!(encode("x\u{7}y\tz\nw"), b"x y z\nw".to_vec());
        assert_eq!(encode("Привет 日本 é"), b"?????? ?? \xe9".to_vec());
    }

    #[test]
    fn helvetica_widths_match_the_standard_metrics() {
        // Adobe's Helvetica AFM: space 278, A 667, a 556, W 944; Bold A 722.
        assert_eq!(width(b" AaW", Font::Regular, 1000.0), 278.0 + 667.0 + 556.0 + 944.0);
        assert_eq!(width(b"A", Font::Bold, 1000.0), 722.0);
        assert_eq!(width(b"iii", Font::Mono, 10.0), 18.0);
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width_and_marks_cuts() {
        let long = encode(&format!("short words then {} and more", "x".repeat(500)));
        let lines = wrap(&long, Font::Regular, 9.0, 200.0, 100);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| width(l, Font::Regular, 9.0) <= 200.0));
        let cut = wrap(&long, Font::Regular, 9.0, 200.0, 2);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[1].last(), Some(&ELLIPSIS));
        assert!(cut.iter().all(|l| width(l, Font::Regular, 9.0) <= 200.0));
        assert_eq!(wrap(b"fits", Font::Regular, 9.0, 200.0, 1), vec![b"fits".to_vec()]);
        let clipped = clip(&long, Font::Bold, 9.0, 50.0);
        assert!(width(&clipped, Font::Bold, 9.0) <= 50.0);
        assert_eq!(clipped.last(), Some(&ELLIPSIS));
    }
}
