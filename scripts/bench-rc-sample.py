#!/usr/bin/env python3
"""RingCentral's own Active Calls sample (developer guide, Python SDK), polled in a loop the way people
watch calls without callboard: log in with a JWT, GET active-calls, print each call, sleep. The only
additions are the account-wide path, following `navigation.nextPage` and the loop. Used by scripts/bench.
"""
import os
import sys
import time

from ringcentral import SDK

rcsdk = SDK(os.environ.get("RC_APP_CLIENT_ID"), os.environ.get("RC_APP_CLIENT_SECRET"),
            os.environ.get("RC_SERVER_URL"))
platform = rcsdk.platform()
try:
    platform.login(jwt=os.environ.get("RC_USER_JWT"))
except Exception as e:
    sys.exit("Unable to authenticate to platform: " + str(e))

interval = float(os.environ.get("POLL_SECS", "10"))
while True:
    url = "/restapi/v1.0/account/~/active-calls"
    params = {"view": "Simple", "perPage": 1000}
    while url:
        resp = platform.get(url, params)
        body = resp.json_dict()
        for record in body["records"]:
            print(f"Call result: {record.get('result')} {record.get('direction')} "
                  f"{(record.get('from') or {}).get('phoneNumber')} -> {(record.get('to') or {}).get('name')}")
        url = ((body.get("navigation") or {}).get("nextPage") or {}).get("uri")
        params = None
    time.sleep(interval)
