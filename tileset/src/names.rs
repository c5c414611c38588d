//! Area codes and names: the feature id of a code, and the one fold under which names are
//! searched (written by the tiler into the index, applied by the server to queries).

/// The digits of a code as an integer (GM0363 → 363, 3511 → 3511).
pub fn code_id(code: &str) -> u64 {
    code.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// The search form of a name or query (`areas.name_norm` in the index, and the server's query
/// fold): lower case, accents folded to their base letters, every run of characters other than
/// letters and digits one space, trimmed. So hyphens, apostrophes, dots and brackets match
/// spaces: `Súdwest-Fryslân` → `sudwest fryslan`, `'s-Hertogenbosch` → `s hertogenbosch`,
/// `Bergen (NH.)` → `bergen nh`.
///
/// The tiler writes it and the server folds queries (and the stored names) with this one
/// function, so the two cannot drift apart.
pub fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // A separator is written only before the next letter or digit: runs collapse and the
    // ends are trimmed.
    let mut gap = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    };
    for c in name.chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Fold::Zero => {}
            Fold::One(f) => push(f, &mut out),
            Fold::Two(a, b) => {
                push(a, &mut out);
                push(b, &mut out);
            }
        }
    }
    out
}

/// What one lower-case character folds to.
enum Fold {
    Zero,
    One(char),
    Two(char, char),
}

/// Folds a lower-case Latin-1 / Latin Extended-A letter to its base letter(s); combining marks
/// (decomposed accents) vanish.
fn fold_char(c: char) -> Fold {
    let base = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'æ' => return Fold::Two('a', 'e'),
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĳ' => return Fold::Two('i', 'j'),
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'œ' => return Fold::Two('o', 'e'),
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ß' => return Fold::Two('s', 's'),
        'ţ' | 'ť' | 'ŧ' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        '\u{0300}'..='\u{036f}' => return Fold::Zero,
        other => other,
    };
    Fold::One(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_punctuation() {
        for (name, folded) in [
            ("Súdwest-Fryslân", "sudwest fryslan"),
            ("sudwest fryslan", "sudwest fryslan"),
            ("  SÚDWEST -- FRYSLÂN ", "sudwest fryslan"),
            ("'s-Hertogenbosch", "s hertogenbosch"),
            ("\u{2019}s Hertogenbosch", "s hertogenbosch"),
            ("Bergen (NH.)", "bergen nh"),
            ("Ĳsselstein  Zuid", "ijsselstein zuid"),
            ("Cafe\u{301}", "cafe"),
            ("Domplein 50%_e.o.", "domplein 50 e o"),
            (
                "Nuenen, Gerwen en Nederwetten",
                "nuenen gerwen en nederwetten",
            ),
            ("%_-'", ""),
        ] {
            assert_eq!(normalise_name(name), folded, "{name}");
            // Folding is idempotent: an index written with it can be folded again.
            assert_eq!(normalise_name(folded), folded, "{name}");
        }
    }

    #[test]
    fn code_ids_are_the_digits() {
        assert_eq!(code_id("BU03630000"), 3_630_000);
        assert_eq!(code_id("GM0363"), 363);
        assert_eq!(code_id("3511"), 3511);
    }
}
