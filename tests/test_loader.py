"""Loading results into variables: valid names, no silent overwrite, all or nothing."""

import pytest

from gpjob_widget.loader import assign_results, user_namespace, variable_name


@pytest.mark.parametrize(("param", "prefix", "name"), [
    ("out_features", "", "out_features"), ("Output Features-1", "", "Output_Features_1"),
    ("1st", "", "r_1st"), ("class", "", "class_"), ("list", "", "list_"),
    ("out", "job1_", "job1_out"), ("---", "", "result"),
])
def test_variable_names(param, prefix, name):
    assert variable_name(param, prefix) == name
    assert name.isidentifier()


def test_assign_lists_what_it_created():
    ns: dict = {}
    loaded = assign_results({"count": 3, "rows": [1, 2]}, ns)
    assert ns["count"] == 3 and ns["rows"] == [1, 2]
    assert [(x.variable, x.type, x.shape) for x in loaded] == [
        ("count", "int", ""), ("rows", "list", "2 items")]


def test_existing_user_variables_are_never_overwritten():
    ns = {"count": "mine"}
    loaded = assign_results({"count": 3}, ns)
    assert ns["count"] == "mine" and ns["count_2"] == 3
    assert loaded[0].variable == "count_2" and "already existed" in loaded[0].note


def test_loading_again_reuses_our_own_variables():
    ns: dict = {}
    assign_results({"count": 3}, ns)
    again = assign_results({"count": 4}, ns)
    assert ns["count"] == 4 and again[0].note == ""


def test_colliding_parameter_names_get_distinct_variables():
    ns: dict = {}
    loaded = assign_results({"a b": 1, "a-b": 2}, ns)
    assert {x.variable for x in loaded} == {"a_b", "a_b_2"}


def test_outside_ipython_a_namespace_is_required():
    with pytest.raises(RuntimeError, match="namespace"):
        user_namespace()
