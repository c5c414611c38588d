//! Score tables published as spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`) instead of CSV:
//! the first worksheet with data, turned into CSV text so that the grid and area score readers
//! read it by the same rules and their errors name the same line (the sheet's row) and column.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use crate::error::{Result, TilerError};

/// The extensions read as spreadsheets (lower case).
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Whether `path` names a spreadsheet by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// The bytes of a score table: a CSV file as it is, a spreadsheet's first worksheet with data
/// as comma-separated CSV (numbers with a decimal point, row 1 the header).
pub fn read_table(path: &Path) -> Result<Vec<u8>> {
    if is_spreadsheet(path) {
        sheet_as_csv(path)
    } else {
        std::fs::read(path).map_err(|e| TilerError::io(path, e))
    }
}

fn sheet_as_csv(path: &Path) -> Result<Vec<u8>> {
    let bad = |message: String| {
        TilerError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        )
    };
    let mut book =
        open_workbook_auto(path).map_err(|e| bad(format!("not a readable spreadsheet: {e}")))?;
    let sheets = book.sheet_names().to_vec();
    let mut range = None;
    for (i, name) in sheets.iter().enumerate() {
        let r = book
            .worksheet_range_at(i)
            .ok_or_else(|| bad(format!("worksheet {name:?} is missing")))?
            .map_err(|e| bad(format!("worksheet {name:?}: {e}")))?;
        if !r.is_empty() {
            range = Some(r);
            break;
        }
    }
    let Some(range) = range else {
        return Ok(Vec::new());
    };
    // Rows above the used range are empty lines, so that line numbers stay the sheet's rows.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = Vec::with_capacity(range.height() * range.width() * 8);
    out.extend(std::iter::repeat_n(b'\n', first_row as usize));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(&mut out);
    let lead = vec![String::new(); first_col as usize];
    for row in range.rows() {
        let fields = lead.iter().cloned().chain(row.iter().map(cell_text));
        writer
            .write_record(fields)
            .map_err(|e| bad(format!("converting to CSV: {e}")))?;
    }
    writer.flush().map_err(|e| TilerError::io(path, e))?;
    drop(writer);
    Ok(out)
}

/// A cell as CSV text: numbers in their shortest exact form (`2024`, not `2024.0`), text as
/// it is, errors and empty cells empty.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_reads_as_the_csv_of_its_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Leefbaarometer-scores PC4 2002-2024.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["PC4", "jaar", "lbm", "bu_naam"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 3511.0).unwrap();
        sheet.write_number(1, 1, 2024.0).unwrap();
        sheet.write_number(1, 2, 4.1234).unwrap();
        sheet.write_string(1, 3, "Utrecht, centrum").unwrap();
        sheet.write_string(2, 0, "0101").unwrap();
        sheet.write_number(2, 1, 2024.0).unwrap();
        book.save(&path).unwrap();
        let text = String::from_utf8(read_table(&path).unwrap()).unwrap();
        assert_eq!(
            text,
            "PC4,jaar,lbm,bu_naam\n3511,2024,4.1234,\"Utrecht, centrum\"\n0101,2024,,\n"
        );
        assert!(is_spreadsheet(&path));
        let broken = dir.path().join("broken.xlsx");
        std::fs::write(&broken, "not a spreadsheet").unwrap();
        let e = read_table(&broken).unwrap_err().to_string();
        assert!(
            e.contains("broken.xlsx") && e.contains("spreadsheet"),
            "{e}"
        );
    }
}
