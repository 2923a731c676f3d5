"""An account's district is checked like an imported district: no hidden direction marks, no
control characters, not longer than the store's column; a dispatcher or follow-up account needs one."""

from __future__ import annotations

from contextlib import closing

import pytest

from planner.errors import UserError
from planner.store import accounts
from planner.store.db import open_session


@pytest.mark.parametrize("district, why", [("南区\u202ex", "text direction override"),
                                            ("区" * 65, "65 characters; at most 64"),
                                            ("南\x00区", "not allowed")])
def test_a_malformed_district_is_refused_and_no_account_is_made(store_url, district, why):
    with closing(open_session(store_url)) as s:
        with pytest.raises(UserError, match=why):
            accounts.add_user(s, "newdisp", "long enough pw", "dispatcher", district=district)
        assert accounts.get_user_by_name(s, "newdisp") is None


@pytest.mark.parametrize("role", ["dispatcher", "followup"])
def test_a_district_account_needs_its_district(store_url, role):
    with closing(open_session(store_url)) as s:
        with pytest.raises(UserError, match=f"a {role} account needs --district"):
            accounts.add_user(s, "newu1", "long enough pw", role)
        assert accounts.add_user(s, "newu1", "long enough pw", role, district="南区").district == "南区"
