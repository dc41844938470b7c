"""One province (docs/deploy/) for the module: starting it takes ~10 s; fault tests put back what they broke."""

from __future__ import annotations

import pytest

from tests.deploy.province import Province
from tests.livesrv import Api


@pytest.fixture(scope="module")
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
