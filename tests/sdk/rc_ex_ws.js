// RingCentral's official JavaScript @rc-ex/ws extension, unchanged, against the simulator's gateway:
// log in, subscribe to the account's telephony sessions, receive an event, then (once the test has the
// simulator drop the socket) auto-recover the session and receive another event.
const RingCentral = require("@rc-ex/core").default;
const { default: WebSocketExtension, Events } = require("@rc-ex/ws");

const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const rc = new RingCentral({
    server: process.env.RC_SERVER_URL,
    clientId: process.env.RC_APP_CLIENT_ID,
    clientSecret: process.env.RC_APP_CLIENT_SECRET,
  });
  await rc.authorize({ jwt: process.env.RC_USER_JWT });
  const ws = new WebSocketExtension({ autoRecover: { enabled: true, checkInterval: () => 300 } });
  await rc.installExtension(ws);
  let phase = "first";
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  ws.eventEmitter.on(Events.autoRecoverSuccess, () => {
    say("recovered Successful");
    phase = "after";
  });
  ws.eventEmitter.on(Events.autoRecoverFailed, () => say("recovered Failed"));
  await ws.subscribe(["/restapi/v1.0/account/~/telephony/sessions"], (event) => {
    if (phase === "first") {
      say(`event ${event.body.parties[0].status.code}`);
      phase = "dropping";
    } else if (phase === "after") {
      say(`event after recovery ${event.body.parties[0].status.code}`);
      phase = "done";
      done();
    }
  });
  say("subscribed");
  await finished;
  await ws.revoke();
  await rc.revoke();
  say("revoked");
}

const timer = setTimeout(() => {
  say("timed out");
  process.exit(2);
}, 10000);
main().then(
  () => {
    clearTimeout(timer);
    process.exit(0);
  },
  (e) => {
    say(`failed ${e}`);
    process.exit(1);
  },
);
