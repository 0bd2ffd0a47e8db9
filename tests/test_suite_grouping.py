"""The suite's own machinery: tests marked ``xdist_group`` share one process under ``make test``.

Module-wide fixtures (the discovery evaluation set, the sweep's world, the seeded demo) are built once
because their tests run in one process; if grouping silently stopped, each process would build them
again and the suite would take minutes longer with every test still green.
"""

import pytest

pytestmark = pytest.mark.xdist_group("suite-grouping")


def test_a_grouped_test_is_scheduled_with_its_group(request):
    if not request.config.getvalue("loadgroup"):
        pytest.skip("not spread over processes with --dist loadgroup")
    # pytest-xdist tells the scheduler a test's group by the suffix of its node id.
    assert request.node.nodeid.endswith("@suite-grouping")
