"""RingCentral's official Python SDK, unchanged, against the simulator: the calls a RingCentral sample makes."""
import os

from ringcentral import SDK

rcsdk = SDK(os.environ["RC_APP_CLIENT_ID"], os.environ["RC_APP_CLIENT_SECRET"], os.environ["RC_SERVER_URL"])
platform = rcsdk.platform()
platform.login(jwt=os.environ["RC_USER_JWT"])
me = platform.get("/restapi/v1.0/account/~/extension/~").json()
print("me", me.id, me.extensionNumber, me.permissions.admin.enabled)
calls = platform.get("/restapi/v1.0/account/~/active-calls", {"view": "Detailed"}).json()
print("calls", len(calls.records), all(len(r.legs) >= 1 for r in calls.records))
mine = platform.get("/restapi/v1.0/account/~/extension/~/active-calls", {"view": "Simple"}).json()
print("mine", len(mine.records))
platform.refresh()
print("refreshed", bool(platform.auth().access_token()))
platform.logout()
print("logged out", not platform.logged_in())
