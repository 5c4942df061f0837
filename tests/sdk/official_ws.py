"""RingCentral's official Python SDK 0.9.2 WebSocket client, unchanged, against the simulator's gateway:
connect, subscribe to the account's telephony sessions and receive an event. (0.9.2's subscriptionCreated
waits for a WSG-SubscriptionId header the real gateway does not send, so the notification is the proof.)"""
import asyncio
import json
import os

from ringcentral import SDK
from ringcentral.websocket.events import WebSocketEvents

sdk = SDK(os.environ["RC_APP_CLIENT_ID"], os.environ["RC_APP_CLIENT_SECRET"], os.environ["RC_SERVER_URL"])
platform = sdk.platform()
platform.login(jwt=os.environ["RC_USER_JWT"])
client = sdk.create_web_socket_client()
received = []


def on_connected(ws_client):
    details = json.loads(ws_client.get_connection_info()["connection_details"])
    print("connected", details[0]["type"], details[1]["recoveryBufferSize"], flush=True)


def on_notification(message):
    meta, body = message[0], message[1]
    if not received and "telephonySessionId" in body.get("body", {}):
        received.append(body)
        print("event", meta["type"], body["body"]["parties"][0]["status"]["code"], flush=True)
        asyncio.get_event_loop().create_task(client.close_connection())


client.on(WebSocketEvents.connectionCreated, on_connected)
client.on(WebSocketEvents.receiveSubscriptionNotification, on_notification)


async def main():
    try:
        await asyncio.wait_for(
            asyncio.gather(
                client.create_new_connection(),
                client.create_subscription(["/restapi/v1.0/account/~/telephony/sessions"]),
            ),
            timeout=10,
        )
    except Exception:
        pass  # the socket closed under the reader once the event arrived, or time ran out
    print("received", len(received), flush=True)


asyncio.run(main())
