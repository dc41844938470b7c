"""One province (docs/deploy/) for the package, the recipe first, then the faults: starting it
takes ~10 s; each fault test puts back what it broke."""

from __future__ import annotations

import pytest

from tests.deploy.province import Console, Province
from tests.livesrv import Api


@pytest.fixture(scope="package")
def province(tmp_path_factory):
    province = Province(tmp_path_factory.mktemp("province"))
    try:
        province.start()
    except BaseException:
        province.stop()
        raise
    province.api = Api(province.url, province.token)  # through nginx only
    yield province
    province.stop()


@pytest.fixture(scope="package")
def console(province):
    """An administrator signed in to the console through nginx."""
    province.servers[0].cli("create-admin", "province-admin", "--password-stdin", stdin="Province-Admin-2026!\n")
    return Console(province.url, "province-admin", "Province-Admin-2026!")
