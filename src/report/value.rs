//! Typed cells: a report row (a serde struct of [`super::rows`]) read back as one [`Value`] per
//! column, for the formats that type their cells (XLSX, the HTML report).
//!
//! The rows stay the one place that says what a column holds; [`cells`] walks a row with a small
//! serde serializer instead of a second, hand-written list of fields, so the typed view cannot
//! drift from the CSV and JSON ones. `None` is [`Value::Null`] (an empty CSV cell), unit enum
//! variants are their serde names (`vm`, `error`), [`super::Gib`] is a [`Value::Number`].

use serde::ser::{self, Impossible, Serialize};

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Unknown: an empty CSV cell, `null` in JSON.
    Null,
    Bool(bool),
    Int(i64),
    Number(f64),
    Text(String),
}

impl Value {
    /// The text, when the cell is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The cells of one row, in column order. Rows are flat structs (or sequences) of scalars; a
/// nested value is an error.
pub fn cells<R: Serialize + ?Sized>(row: &R) -> Result<Vec<Value>, CellError> {
    let mut out = Vec::new();
    row.serialize(RowSer { out: &mut out })?;
    Ok(out)
}

/// A row that is not flat.
#[derive(Debug, thiserror::Error)]
#[error("report row is not a flat record: {0}")]
pub struct CellError(String);

impl ser::Error for CellError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        CellError(msg.to_string())
    }
}

fn nested() -> CellError {
    CellError("nested value".into())
}

/// Serializes the row itself: a struct or sequence whose fields become cells.
struct RowSer<'a> {
    out: &'a mut Vec<Value>,
}

/// Collects the fields of a row.
struct Fields<'a> {
    out: &'a mut Vec<Value>,
}

impl Fields<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CellError> {
        self.out.push(value.serialize(CellSer)?);
        Ok(())
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = CellError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), CellError> {
        self.push(value)
    }
    fn end(self) -> Result<(), CellError> {
        Ok(())
    }
}

impl ser::SerializeSeq for Fields<'_> {
    type Ok = ();
    type Error = CellError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CellError> {
        self.push(value)
    }
    fn end(self) -> Result<(), CellError> {
        Ok(())
    }
}

impl ser::SerializeTuple for Fields<'_> {
    type Ok = ();
    type Error = CellError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CellError> {
        self.push(value)
    }
    fn end(self) -> Result<(), CellError> {
        Ok(())
    }
}

/// Everything but a struct or sequence is not a row.
macro_rules! not_a_row {
    ($($f:ident($($t:ty),*)),* $(,)?) => {
        $(fn $f(self, $(_: $t),*) -> Result<(), CellError> { Err(CellError("not a struct".into())) })*
    };
}

impl<'a> ser::Serializer for RowSer<'a> {
    type Ok = ();
    type Error = CellError;
    type SerializeSeq = Fields<'a>;
    type SerializeTuple = Fields<'a>;
    type SerializeTupleStruct = Impossible<(), CellError>;
    type SerializeTupleVariant = Impossible<(), CellError>;
    type SerializeMap = Impossible<(), CellError>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Impossible<(), CellError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, CellError> {
        Ok(Fields { out: self.out })
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Fields<'a>, CellError> {
        Ok(Fields { out: self.out })
    }
    fn serialize_tuple(self, _: usize) -> Result<Fields<'a>, CellError> {
        Ok(Fields { out: self.out })
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), CellError> {
        v.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), CellError> {
        v.serialize(self)
    }
    not_a_row!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), CellError> {
        Err(nested())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, CellError> {
        Err(nested())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, CellError> {
        Err(nested())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, CellError> {
        Err(nested())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, CellError> {
        Err(nested())
    }
}

/// Serializes one field into a [`Value`].
struct CellSer;

impl ser::Serializer for CellSer {
    type Ok = Value;
    type Error = CellError;
    type SerializeSeq = Impossible<Value, CellError>;
    type SerializeTuple = Impossible<Value, CellError>;
    type SerializeTupleStruct = Impossible<Value, CellError>;
    type SerializeTupleVariant = Impossible<Value, CellError>;
    type SerializeMap = Impossible<Value, CellError>;
    type SerializeStruct = Impossible<Value, CellError>;
    type SerializeStructVariant = Impossible<Value, CellError>;

    fn serialize_bool(self, v: bool) -> Result<Value, CellError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, CellError> {
        Ok(Value::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, CellError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, CellError> {
        Ok(i64::try_from(v).map_or(Value::Number(v as f64), Value::Int))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, CellError> {
        Ok(Value::Number(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, CellError> {
        Ok(Value::Number(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, CellError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, CellError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Value, CellError> {
        Err(nested())
    }
    fn serialize_none(self) -> Result<Value, CellError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, CellError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, CellError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, CellError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, CellError> {
        Ok(Value::Text(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Value, CellError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Value, CellError> {
        Err(nested())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, CellError> {
        Err(nested())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, CellError> {
        Err(nested())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, CellError> {
        Err(nested())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, CellError> {
        Err(nested())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, CellError> {
        Err(nested())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, CellError> {
        Err(nested())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, CellError> {
        Err(nested())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        n: Option<u32>,
        missing: Option<String>,
        flag: bool,
        size: crate::report::Gib,
        kind: crate::audit::ObjectKind,
    }

    #[test]
    fn a_row_reads_back_as_typed_cells() {
        let row = Row {
            name: "web-01".into(),
            n: Some(4),
            missing: None,
            flag: true,
            size: crate::report::gib(3 * 1024 * 1024 * 1024 / 2),
            kind: crate::audit::ObjectKind::VCenter,
        };
        assert_eq!(
            cells(&row).unwrap(),
            vec![
                Value::Text("web-01".into()),
                Value::Int(4),
                Value::Null,
                Value::Bool(true),
                Value::Number(1.5),
                Value::Text("vcenter".into()),
            ]
        );
        assert!(cells(&3u32).is_err(), "a scalar is not a row");
    }
}
