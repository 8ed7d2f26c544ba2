"""Loading results into variables: valid names, no silent overwrite, all or nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import UserDict

import pandas as pd
import pytest

from gpjob_widget.loader import REGISTRY, Loaded, assign_results, user_namespace, variable_name


@pytest.mark.parametrize(("param", "prefix", "name"), [
    ("out_features", "", "out_features"), ("Output Features-1", "", "Output_Features_1"),
    ("1st", "", "r_1st"), ("class", "", "class_"), ("None", "", "None_"), ("list", "", "list_"),
    ("input", "", "input_"), ("out", "job1_", "job1_out"), ("out", "my-", "my_out"),
    ("---", "", "result"), ("a__b", "", "a__b"), ("a - b", "", "a_b"),
    ("Höhe", "", "Höhe"), ("ﬁle", "", "file"),  # NFKC, as Python reads identifiers
    ("x²", "", "x2"), ("match", "", "match"),  # soft keywords are valid names
])
def test_variable_names(param, prefix, name):
    assert variable_name(param, prefix) == name
    assert name.isidentifier()


def test_assign_lists_what_it_created():
    ns: dict = {}
    frame = pd.DataFrame({"a": [1, 2]})
    loaded = assign_results({"count": 3, "rows": [1, 2], "table": frame}, ns)
    assert ns == {"count": 3, "rows": [1, 2], "table": frame}
    assert [(x.name, x.variable, x.type, x.shape, x.note) for x in loaded] == [
        ("count", "count", "int", "", ""), ("rows", "rows", "list", "2 items", ""),
        ("table", "table", "DataFrame", "2 rows × 1 column", "")]
    assert loaded[2].to_dict() == {"name": "table", "variable": "table", "type": "DataFrame",
                                   "shape": "2 rows × 1 column", "note": ""}
    assert str(loaded[2]) == "table = DataFrame (2 rows × 1 column)"


def test_shadowing_a_builtin_or_keyword_is_never_silent():
    ns: dict = {}
    (loaded,) = assign_results({"filter": "x"}, ns)
    assert loaded.variable == "filter_" and "builtin" in loaded.note and ns == {"filter_": "x"}
    (loaded,) = assign_results({"lambda": 1}, ns)
    assert loaded.variable == "lambda_" and "keyword" in loaded.note


def test_existing_user_variables_are_never_overwritten():
    ns = {"count": "mine", "count_2": "mine too"}
    (loaded,) = assign_results({"count": 3}, ns)
    assert ns["count"] == "mine" and ns["count_2"] == "mine too" and ns["count_3"] == 3
    assert loaded.variable == "count_3" and loaded.note == "renamed: count already existed"


def test_notes_combine():
    ns = {"list_": "mine"}
    (loaded,) = assign_results({"list": 1}, ns)
    assert loaded.variable == "list__2"
    assert loaded.note == "renamed: list would shadow the builtin; renamed: list_ already existed"


def test_loading_the_same_cached_results_again_reuses_the_names():
    ns = {"count": "mine"}
    values = {"count": 3, "table": pd.DataFrame({"a": [1]})}
    first = assign_results(values, ns)
    again = assign_results(values, ns)  # the widget caches results: the very same objects
    assert [x.variable for x in again] == [x.variable for x in first] == ["count_2", "table"]
    assert set(ns) == {"count", "count_2", "table"}


def test_a_job_reloading_reuses_what_it_created_but_not_what_the_user_reassigned():
    ns: dict = {}
    assign_results({"table": pd.DataFrame({"a": [1]}), "n": 1000}, ns, owner="job-1")
    again = assign_results({"table": pd.DataFrame({"a": [2]}), "n": 2000}, ns, owner="job-1")
    assert [(x.variable, x.note) for x in again] == [("table", ""), ("n", "")]
    assert ns["table"]["a"][0] == 2 and ns["n"] == 2000
    ns["n"] = 5000  # the user reassigns: the name is the user's now
    (n,) = assign_results({"n": 3000}, ns, owner="job-1")
    assert n.variable == "n_2" and ns["n"] == 5000


def test_another_job_never_overwrites_the_first_jobs_variables():
    ns: dict = {}
    assign_results({"out": pd.DataFrame({"a": [1]})}, ns, owner="job-1")
    (other,) = assign_results({"out": pd.DataFrame({"a": [2]})}, ns, owner="job-2")
    assert other.variable == "out_2" and ns["out"]["a"][0] == 1
    (anonymous,) = assign_results({"out": pd.DataFrame({"a": [3]})}, ns)  # no owner: no reuse
    assert anonymous.variable == "out_3"


def test_the_registry_stays_out_of_plain_dicts_without_an_owner():
    ns: dict = {}
    assign_results({"a": 1}, ns)
    assert REGISTRY not in ns
    assign_results({"a": 1}, ns, owner="job")
    assert REGISTRY in ns and REGISTRY.startswith("_")  # hidden from %who and the like


def test_colliding_parameter_names_get_distinct_variables():
    ns: dict = {}
    loaded = assign_results({"a b": 1, "a-b": 2}, ns)
    assert [x.variable for x in loaded] == ["a_b", "a_b_2"] and ns == {"a_b": 1, "a_b_2": 2}


def test_names_are_all_chosen_before_anything_is_assigned():
    class Refusing(UserDict):
        """A namespace that refuses one name: nothing may be assigned then."""

        def __setitem__(self, key, value):
            if key == "bad":
                raise KeyError("read-only")
            super().__setitem__(key, value)

        def update(self, other=(), /, **kw):
            items = dict(other, **kw)
            if "bad" in items:
                raise KeyError("read-only")
            super().update(items)

    ns = Refusing()
    with pytest.raises(KeyError):
        assign_results({"good": 1, "bad": 2}, ns)
    assert dict(ns) == {}


def test_a_value_that_cannot_be_described_still_loads():
    class Odd:
        @property
        def shape(self):
            raise RuntimeError("no shape")

    ns: dict = {}
    (loaded,) = assign_results({"odd": Odd()}, ns)
    assert loaded.type == "Odd" and loaded.shape == "" and "odd" in ns


def test_empty_results_assign_nothing():
    ns: dict = {}
    assert assign_results({}, ns) == [] and ns == {}


def test_outside_ipython_a_namespace_is_required():
    with pytest.raises(RuntimeError, match="IPython.*pass a namespace"):
        user_namespace()
    with pytest.raises(RuntimeError, match="namespace"):
        assign_results({"a": 1})


def test_in_ipython_the_default_namespace_is_the_users():
    script = textwrap.dedent("""
        from IPython.testing.globalipapp import start_ipython
        shell = start_ipython()
        shell.run_cell("existing = 'mine'")
        from gpjob_widget.loader import assign_results
        loaded = assign_results({"existing": 1, "fresh": 2})
        shell.run_cell("print(existing, existing_2, fresh)")
        print([str(x) for x in loaded])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "mine 1 2" in done.stdout and "existing_2 = int" in done.stdout


def test_loaded_is_a_small_frozen_record():
    item = Loaded("out", "out", "Path", "2.1 MB")
    assert item.note == "" and item.to_dict()["shape"] == "2.1 MB"
