"""Guessing the columns from the headers people write (no database)."""

from __future__ import annotations

from focus_lab.imports.kinds import Field, FieldType
from focus_lab.imports.mapping import guess_mapping, mapping_problems, normalise, unmapped_columns

FIELDS = [
    Field("material_code", "Material code", FieldType.DIGITS, synonyms=("material no", "item code")),
    Field("unit_price", "Unit price", FieldType.MONEY, synonyms=("price per case",)),
    Field("net_case_weight_lb", "Net case weight (lb)", FieldType.DECIMAL, required=False),
]


def test_normalise_reads_case_spacing_and_punctuation_alike():
    assert normalise(" Net  Case_Weight (lb) ") == normalise("net case weight lb") == "net case weight lb"


def test_names_labels_synonyms_and_prefixes_are_guessed():
    headers = ["Item Code", "PRICE PER CASE", "net_case_weight_lb", "Notes"]
    assert guess_mapping(headers, FIELDS) == {"material_code": 0, "unit_price": 1, "net_case_weight_lb": 2}
    assert guess_mapping(["Unit price (USD)", "Material No."], FIELDS) == {
        "unit_price": 0,
        "material_code": 1,
    }


def test_an_exact_match_beats_an_earlier_prefix_and_a_column_goes_to_one_field():
    headers = ["Unit price old", "Unit price", "Material code", "Material code"]
    assert guess_mapping(headers, FIELDS) == {"unit_price": 1, "material_code": 2}


def test_the_remembered_mapping_comes_first():
    remembered = {"Cost": "unit_price", "Code": "material_code", "Gone": "net_case_weight_lb"}
    assert guess_mapping(["code", "Unit price", "COST"], FIELDS, remembered=remembered) == {
        "material_code": 0, "unit_price": 2}  # fmt: skip


def test_unmapped_columns_and_mapping_problems():
    headers = ["a", "", "c"]
    assert unmapped_columns(headers, {"material_code": 0}) == ["(column 2)", "c"]
    assert mapping_problems({"material_code": 0, "unit_price": 0}, FIELDS, headers) == [
        "The column “a” is chosen for both “Material code” and “Unit price”."]  # fmt: skip
    assert mapping_problems({"material_code": 7}, FIELDS, headers) == [
        "Choose the column that holds “Unit price”: it is required.", "“Material code”: the file has no such column."]  # fmt: skip
