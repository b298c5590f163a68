"""The lavaan-style model parser (reference: lavaan's model syntax, `=~` and `~`)."""
import numpy as np
import pytest

from crmlab.core.errors import ParameterError
from crmlab.core.modeltext import ECSI_MODEL, parse_model


def test_ecsi_model_matches_r_plspm_satisfaction_path_matrix():
    spec = parse_model(ECSI_MODEL)
    assert spec.names == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
    assert spec.constructs["VAL"] == ("val1", "val2", "val3", "val4")
    # R plspm's satisfaction example: rows = targets, columns = sources
    r_path = np.array([[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0],
                       [0, 1, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 1, 0]])
    np.testing.assert_array_equal(spec.adjacency().T, r_path)
    assert spec.endogenous == ["EXPE", "QUAL", "VAL", "SAT", "LOY"]
    assert spec.path_keys()[:3] == ["EXPE~IMAG", "QUAL~EXPE", "VAL~EXPE"]
    assert spec.block_matrix().sum(axis=0).tolist() == [5, 5, 5, 4, 4, 4]


def test_continuation_semicolons_comments_and_topological_order():
    spec = parse_model("B ~ A  # structure first\nB =~ b1 +\n  b2; A =~ a1 + a2\n")
    assert spec.names == ["A", "B"]
    assert spec.items == ["a1", "a2", "b1", "b2"]
    assert spec.paths == (("A", "B"),)


def test_indirect_paths_enumerates_all_chains():
    spec = parse_model("A =~ a1\nM =~ m1\nB =~ b1\nM ~ A\nB ~ A + M")
    assert spec.indirect_paths() == [("A", "M", "B")]


def test_roundtrip_to_lavaan():
    spec = parse_model(ECSI_MODEL)
    again = parse_model(spec.to_lavaan())
    assert again.constructs == spec.constructs and set(again.paths) == set(spec.paths)


def test_model_read_from_file(tmp_path):
    f = tmp_path / "m.txt"
    f.write_text(ECSI_MODEL, encoding="utf-8")
    assert parse_model(str(f)).names == parse_model(ECSI_MODEL).names


@pytest.mark.parametrize("text, message", [
    ("A =~ a1 + a2\nB =~ b1\nB ~ A\nC ? A", "line 4"),
    ("A =~ a1 + + a2", "line 1: empty term"),
    ("A =~ a1\nB =~ b1\nB ~ A + Z", "construct 'Z'"),
    ("A =~ a1\nA =~ a2", "defined twice"),
    ("A =~ a1\nB =~ a1", "item 'a1' is used by constructs"),
    ("A =~ a1\nB =~ b1\nB ~ A\nA ~ B", "cycle"),
    ("A =~ 0.5*a1", "not supported"),
    ("A =~ a1\nA ~~ A", "'~~'"),
    ("A ~ B", "no measurement statements"),
    ("A =~ a-1", "not a valid name"),
])
def test_syntax_errors_name_line_and_construct(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_model(text)


def test_missing_model_file_is_reported():
    with pytest.raises(ParameterError, match="does not exist"):
        parse_model("no_such_model.txt")


def test_chinese_construct_and_item_names_and_quoted_names():
    from crmlab.core.modeltext import parse_model

    spec = parse_model("""
    形象 =~ 形象1 + 形象2 + 形象3
    满意度 =~ 满意1 + 满意2
    忠诚度 =~ `推荐意愿(0-10)` + "再次购买 意愿" + loy.3   # a comment with # and "quotes"
    满意度 ~ 形象
    忠诚度 ~ 满意度 + 形象
    """)
    assert spec.constructs["忠诚度"] == ("推荐意愿(0-10)", "再次购买 意愿", "loy.3")
    assert ("满意度", "忠诚度") in spec.paths and ("形象", "满意度") in spec.paths


def test_invalid_name_message_says_what_names_may_be():
    import pytest

    from crmlab.core.errors import ParameterError
    from crmlab.core.modeltext import parse_model

    with pytest.raises(ParameterError, match=r"model line 1: '推荐意愿\(0-10\)' is not a valid name: names are "
                                             r"letters of any script .* backticks"):
        parse_model("LOY =~ 推荐意愿(0-10) + loy2")
    with pytest.raises(ParameterError, match="'1st' is not a valid construct name"):
        parse_model("1st =~ a + b")


def test_long_model_text_is_never_taken_for_a_file_name():
    from crmlab.core.modeltext import parse_model

    text = "SAT =~ " + " + ".join(f"satisfaction_item_{i}" for i in range(40))
    assert len(text) > 255 and len(parse_model(text).constructs["SAT"]) == 40
