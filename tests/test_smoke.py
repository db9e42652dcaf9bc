def test_default_bake_has_a_readme(baked):
    assert (baked() / "README.md").is_file()
