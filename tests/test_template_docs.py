"""The README's option tables are generated from cookiecutter.json and up to date."""

from mlops_template import docs, options


def test_readme_matrix_is_up_to_date():
    assert docs.main(["--check"]) == 0, "run: python -m mlops_template.docs"


def test_matrix_names_every_option_and_value():
    table = docs.matrix_markdown()
    for key in options.public_keys():
        assert f"`{key}`" in table
    for key in options.CORE_DIMENSIONS:
        for value in options.choices(key):
            assert f"`{value}`" in table


def test_stale_readme_is_detected(tmp_path, monkeypatch):
    stale = tmp_path / "README.md"
    stale.write_text("<!-- generated:matrix -->\nold\n<!-- /generated:matrix -->\n", encoding="utf-8")
    monkeypatch.setattr(docs, "README", stale)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert docs.main(["--check"]) == 0
