"""Name resolution: the reviewed alias table first, then exact names; conflicts and
ambiguities are reported, never guessed."""

from __future__ import annotations

import pandas as pd
import pytest

from gaplens.errors import InputError
from gaplens.ingest.aliases import bundled_aliases, read_aliases, resolve

MODELS = pd.DataFrame({
    "model_id": ["GPT-4o", "Claude Sonnet 4.5", "Sonar", "sonar-pro", "Mistral Large"],
    "display_name": ["GPT-4o", "Claude Sonnet 4.5", "Sonar", "Sonar", "Mistral Large 2"],
})


def write(tmp_path, text: str) -> str:
    path = tmp_path / "aliases.csv"
    path.write_text(text)
    return str(path)


def test_alias_then_exact_then_new_or_unmatched(tmp_path):
    aliases = read_aliases(write(tmp_path, "source,name,model_id,note\n"
                                           "lmarena,gpt-4o-2024-05-13,GPT-4o,dated snapshot\n"
                                           "*,Claude 4.5 Sonnet,Claude Sonnet 4.5,word order\n"))
    names = ["gpt-4o-2024-05-13", "CLAUDE 4.5  SONNET", "gpt-4o", "mistral large 2",
             "Sonar", "Brand New", "Unknown Thing"]
    table = resolve(names, "lmarena", MODELS, aliases, can_create={"Brand New"}).table
    how = dict(zip(table["name"], table["how"]))
    target = dict(zip(table["name"], table["model_id"]))
    assert how["gpt-4o-2024-05-13"] == "alias" and target["gpt-4o-2024-05-13"] == "GPT-4o"
    # '*' rows apply to every source; case and runs of spaces are folded
    assert how["CLAUDE 4.5  SONNET"] == "alias"
    assert target["CLAUDE 4.5  SONNET"] == "Claude Sonnet 4.5"
    assert how["gpt-4o"] == "exact" and how["mistral large 2"] == "exact"
    assert target["mistral large 2"] == "Mistral Large"  # display name match
    # two models share the display name 'Sonar': listed, not guessed
    assert how["Sonar"] == "ambiguous" and pd.isna(target["Sonar"])
    assert set(table.set_index("name").loc["Sonar", "candidates"].split(", ")) == {
        "Sonar", "sonar-pro"}
    assert how["Brand New"] == "new" and target["Brand New"] == "Brand New"
    assert how["Unknown Thing"] == "unmatched"


def test_alias_rows_of_another_source_do_not_apply(tmp_path):
    aliases = read_aliases(write(tmp_path, "source,name,model_id\n"
                                           "openrouter,openai/gpt-4o,GPT-4o\n"))
    table = resolve(["openai/gpt-4o"], "lmarena", MODELS, aliases).table
    assert table["how"].iloc[0] == "unmatched"


def test_alias_to_a_model_missing_from_the_warehouse_is_unmatched_with_a_reason(tmp_path):
    aliases = read_aliases(write(tmp_path, "source,name,model_id\naa,Foo,Not There\n"))
    row = resolve(["Foo"], "aa", MODELS, aliases).table.iloc[0]
    assert row["how"] == "unmatched" and "Not There" in row["candidates"]


def test_an_alias_conflict_is_an_input_error(tmp_path):
    path = write(tmp_path, "source,name,model_id\n"
                           "aa,GPT-4o (May),GPT-4o\n"
                           "aa,gpt-4o  (may),Claude Sonnet 4.5\n")
    with pytest.raises(InputError, match="more than one model") as info:
        read_aliases(path)
    assert "aliases.csv" in str(info.value) and "model_id" in str(info.value)


@pytest.mark.parametrize("text, field, row", [
    ("source,name\naa,x\n", None, None),
    ("source,name,model_id\naa,x,\n", "model_id", 2),
    ("source,name,model_id\n,x,GPT-4o\n", "source", 2),
])
def test_bad_alias_files(tmp_path, text, field, row):
    with pytest.raises(InputError) as info:
        read_aliases(write(tmp_path, text))
    assert info.value.field == field and info.value.row == row


def test_header_only_file_is_an_empty_table(tmp_path):
    assert read_aliases(write(tmp_path, "source,name,model_id,note\n")).empty


def test_bundled_alias_table_is_consistent(bundled_db):
    import gaplens

    aliases = bundled_aliases()
    assert len(aliases) > 600
    assert set(aliases["source"]) >= {"aa", "lmarena", "openrouter", "livebench"}
    # every target is a model of the bundled warehouse
    models = set(gaplens.models(db=bundled_db)["model_id"])
    missing = set(aliases["model_id"]) - models
    assert not missing, sorted(missing)[:5]


def test_user_aliases_layer_on_the_bundled_table(tmp_path):
    from gaplens.api import _aliases

    path = write(tmp_path, "source,name,model_id,note\n"
                           "inspect,anthropic/claude-opus-4.5,Claude Opus 4.5,ours\n")
    merged = _aliases(path)
    assert len(merged) == len(bundled_aliases()) + 1
    row = merged.loc[(merged["name"] == "anthropic/claude-opus-4.5")
                     & (merged["source"] == "inspect")]
    assert row["model_id"].tolist() == ["Claude Opus 4.5"]
    # a user row for a name the bundle maps replaces the bundled row
    first = bundled_aliases().iloc[0]
    path2 = write(tmp_path, f"source,name,model_id\n{first['source']},\"{first['name']}\",X\n")
    merged2 = _aliases(path2)
    hits = merged2.loc[(merged2["source"] == first["source"]) & (merged2["key"] == first["key"])]
    assert hits["model_id"].tolist() == ["X"]


def test_one_licence_table_for_every_source():
    from gaplens.ingest.licences import licence_class, licence_key
    from gaplens.types import Accessibility

    assert licence_key("Apache License, Version 2.0") == "apacheversion20"
    assert licence_class("Apache-2.0") is Accessibility.OPEN_UNRESTRICTED
    assert licence_class("Llama 3.3 Community License Agreement") is Accessibility.OPEN_RESTRICTED
    assert licence_class("llama-4-whatever") is Accessibility.OPEN_RESTRICTED  # family prefix
    assert licence_class("LLaMA License Agreement") is Accessibility.OPEN_NONCOMMERCIAL  # exact wins
    assert licence_class("CC-BY-NC-SA-4.0") is Accessibility.OPEN_NONCOMMERCIAL
    assert licence_class("Proprietary") is Accessibility.API
    assert licence_class("Some New Licence") is None and licence_class(None) is None
