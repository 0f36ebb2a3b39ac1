#!/usr/bin/python3
"""A walk through the registry API (registry.v1.RegistryApi) from Python.

Runs against a real registry-server that holds the 2020 data
(registry-service/data/vkm-2020.yaml), over TLS with a bearer token. After
deploy/local/run.sh, from the checkout:

    MISSIONS_TOKEN_FILE=var/local/auth/editor.jwt \
      /usr/bin/python3 registry-service/docs/examples/registry_client.py

Connection settings:
  --server HOST:PORT  registry-server (default 127.0.0.1:50051)
  --ca FILE           PEM CA bundle that signs the server's certificate;
                      default $MISSIONS_CA, else the checkout's
                      var/local/pki/ca.pem (deploy/local/dev-pki.sh), else
                      the system's root certificates
  $MISSIONS_TOKEN_FILE  a file holding the bearer token (a JWT), readable by
                      its owner only; it is sent as `authorization: Bearer
                      ...` with every call and never printed. The walk writes
                      and reads the audit log, so it needs the editor role.
                      Without it the calls go without a token and the server
                      answers UNAUTHENTICATED.
  --plaintext         no TLS and no token: only for a server started with
                      --insecure (loopback debugging)

It uses nothing but Debian's python3-grpcio and python3-protobuf and
generates the Python stubs at run time, into a temporary directory, with
`protoc` and `grpc_python_plugin` (Debian package protobuf-compiler-grpc)
from proto/ and Google's common protos (golang-github-gogo-googleapis-dev).

What it does, each step checked (see registry-service/docs/api-guide.md):
  1. lists the missions active in 2020 in Afrika, page by page;
  2. gets one mission;
  3. asks which legal basis was in force on a day, and which national
     mandates end before a date;
  4. creates a posting with a request_id, and retries it (no duplicate);
  5. updates it with its etag and an update_mask (after a validate_only
     dry run);
  6. updates it again with the old etag: ABORTED;
  7. sends an invalid posting: INVALID_ARGUMENT with google.rpc.BadRequest
     field violations, read from the grpc-status-details-bin trailer;
  8. sends a malformed filter: INVALID_ARGUMENT naming the position;
  9. reads the audit events of the posting: they name the token's subject
     as principal, and the transport address apart from it as peer;
 10. reads the mission and the posting as_of earlier revisions;
 11. deletes the posting (soft delete, with its etag) and lists with and
     without show_deleted;
 12. reads the change feed from before the first write, resuming with
     after_revision.

Exit status: 0 if everything went as expected, 1 otherwise (the message
says what: UNAUTHENTICATED for a missing or rejected token, PERMISSION_DENIED
naming the role a call needs), 2 on wrong usage.

The posting it creates is named missions/<mission>/postings/api-example-<hex>
and is soft-deleted at the end; its audit events remain, as every audit event
does.
"""

import argparse
import base64
import glob
import json
import os
import stat
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto"))
DEFAULT_GOOGLEAPIS_DIR = "/usr/share/gocode/src/github.com/gogo/googleapis"
# The development CA of the checkout (deploy/local/run.sh makes it).
CHECKOUT_CA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "var", "local", "pki", "ca.pem"))


class Unexpected(Exception):
    """A result the example did not expect."""


def expect(condition, what):
    if not condition:
        raise Unexpected(what)


def step(title):
    print(f"\n== {title}")



# ---------------------------------------------------------------------------
# The connection: TLS that verifies the server, and a bearer token per call.


def find_ca(ca_argument):
    """Returns (path or None, description): --ca, else $MISSIONS_CA, else
    the checkout's development CA, else None (the system's roots)."""
    if ca_argument:
        return ca_argument, f"CA {ca_argument}"
    if os.environ.get("MISSIONS_CA"):
        return os.environ["MISSIONS_CA"], f"CA $MISSIONS_CA ({os.environ['MISSIONS_CA']})"
    if os.path.isfile(CHECKOUT_CA):
        return CHECKOUT_CA, f"development CA {CHECKOUT_CA}"
    return None, "the system's root CAs"


def read_token_file(path):
    """Returns the token in `path`. Refuses a file that group or others may
    read, like the registry's own tools do. Errors name the file, never
    its content."""
    info = os.stat(path)
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise Unexpected(f"token file {path} has mode {stat.S_IMODE(info.st_mode):o}: "
                         f"it must be readable by its owner only (chmod 600 {path})")
    with open(path, encoding="ascii") as f:
        token = f.read().strip()
    if not token or any(c.isspace() for c in token):
        raise Unexpected(f"token file {path} does not hold one token")
    return token


def token_claims(token):
    """Returns the claims of a JWT, unverified (the server verifies it): only
    to compare the audit log's principal with the token's subject."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def open_channel(args):
    """Returns (channel, token claims, description of the connection)."""
    import grpc
    token_file = os.environ.get("MISSIONS_TOKEN_FILE")
    if args.plaintext:
        if args.ca or token_file:
            print("registry_client: note: --plaintext sends no token and uses no CA",
                  file=sys.stderr)
        return grpc.insecure_channel(args.server), {}, "plaintext, no token"
    ca_path, ca_description = find_ca(args.ca)
    root_certificates = None
    if ca_path is not None:
        with open(ca_path, "rb") as f:
            root_certificates = f.read()
    # Verifies the server's certificate against the CA and its names against
    # the host of --server (the development certificates are for 127.0.0.1
    # and localhost).
    credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
    claims, token_description = {}, "no token ($MISSIONS_TOKEN_FILE is not set)"
    if token_file:
        token = read_token_file(token_file)
        claims = token_claims(token)
        # Sends `authorization: Bearer <token>` with every call on the channel.
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token))
        token_description = f"token from $MISSIONS_TOKEN_FILE ({token_file})"
    return (grpc.secure_channel(args.server, credentials), claims,
            f"TLS ({ca_description}), {token_description}")


# ---------------------------------------------------------------------------
# Stubs, generated at run time.


def generate_stubs(proto_dir, googleapis_dir, out_dir):
    """Runs protoc with the gRPC Python plugin; returns nothing, raises on
    failure. The generated packages are registry.v1, google.rpc and
    google.type (google.protobuf comes with python3-protobuf)."""
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if protoc is None or plugin is None:
        raise Unexpected("protoc and grpc_python_plugin are needed: "
                         "apt-get install protobuf-compiler-grpc")
    sources = sorted(glob.glob(os.path.join(proto_dir, "registry", "v1", "*.proto")))
    if not sources:
        raise Unexpected(f"no registry protos under {proto_dir}")
    sources += [os.path.join(googleapis_dir, "google", *p.split("/")) for p in (
        "rpc/status.proto", "rpc/error_details.proto",
        "type/date.proto", "type/money.proto")]
    command = [protoc, "-I", proto_dir, "-I", googleapis_dir,
               f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
               f"--plugin=protoc-gen-grpc_python={plugin}"] + sources
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise Unexpected(f"protoc failed: {result.stderr.strip()}")


# Set by main() once the stubs exist.
pb = None          # registry.v1.registry_api_pb2
res = None         # registry.v1.resources_pb2
status_pb2 = None  # google.rpc.status_pb2
details_pb2 = None  # google.rpc.error_details_pb2


def import_stubs(out_dir):
    global pb, res, status_pb2, details_pb2
    sys.path.insert(0, out_dir)
    # `google` is a namespace package: google.protobuf from python3-protobuf
    # and the generated google.rpc / google.type live side by side.
    from registry.v1 import registry_api_pb2, registry_api_pb2_grpc, resources_pb2
    from google.rpc import error_details_pb2, status_pb2 as rpc_status_pb2
    pb, res = registry_api_pb2, resources_pb2
    status_pb2, details_pb2 = rpc_status_pb2, error_details_pb2
    return registry_api_pb2_grpc


# ---------------------------------------------------------------------------
# Errors: google.rpc.Status in the grpc-status-details-bin trailer.


def rich_status(error):
    """Returns the google.rpc.Status a failed call carries, or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def field_violations(error):
    """Returns [(field, description)] of the call's google.rpc.BadRequest."""
    status = rich_status(error)
    violations = []
    for detail in status.details if status else ():
        if detail.Is(details_pb2.BadRequest.DESCRIPTOR):
            bad_request = details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations += [(v.field, v.description) for v in bad_request.field_violations]
    return violations


def error_info(error):
    """Returns the call's google.rpc.ErrorInfo, or None."""
    status = rich_status(error)
    for detail in status.details if status else ():
        if detail.Is(details_pb2.ErrorInfo.DESCRIPTOR):
            info = details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


def expect_error(code, call, *args, **kwargs):
    """Makes the call and returns its grpc.RpcError, which must have `code`."""
    import grpc
    try:
        call(*args, **kwargs)
    except grpc.RpcError as error:
        expect(error.code() == code,
               f"expected {code.name}, got {error.code().name}: {error.details()}")
        return error
    raise Unexpected(f"expected {code.name}, but the call succeeded")


# ---------------------------------------------------------------------------
# The walk.


def run(stub, mission_name, timeout, claims):
    import grpc
    from google.protobuf import field_mask_pb2

    # 1. Missions active in 2020 in Afrika, in pages of 4.
    step("ListMissions: active in 2020 in Afrika")
    request = pb.ListMissionsRequest(
        filter='active_in(2020) AND in_region("regions/africa")',
        order_by="cluster, report_order", page_size=4)
    missions, pages = [], 0
    while True:
        page = stub.ListMissions(request, timeout=timeout)
        pages += 1
        if pages == 1:
            start_revision = page.revision  # the state before our writes
        missions += page.missions
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    names = [m.name for m in missions]
    for m in missions:
        print(f"  {m.short_name:22} {m.name:32} {m.cluster or '(no cluster)'}")
    print(f"  {len(missions)} missions in {pages} pages, read at revision {start_revision}")
    expect(mission_name in names, f"{mission_name} is not among {names}")
    expect("missions/eunavfor-med-sophia" in names,
           "Sophia (ended 2020-03-31) must count as active in 2020")
    expect("missions/takuba" not in names, "Takuba (started 2021-03) must not be listed")
    expect(pages >= 2, "expected more than one page of 4")
    expect(len(set(names)) == len(names), "a mission was listed twice")

    # 2. One mission.
    step(f"GetMission {mission_name}")
    mission = stub.GetMission(pb.GetMissionRequest(name=mission_name), timeout=timeout)
    print(f"  {mission.short_name}: {mission.full_name.get('en', '')}; "
          f"lead {res.LeadOrganization.Name(mission.lead_organization)}, etag {mission.etag}")
    expect(mission.name == mission_name and mission.etag.startswith("r"), "unexpected mission")

    # 3. Legal basis in force on a day; national mandates ending before a date.
    step("ListInternationalMandateDecisions: in force on 2020-07-01 / 2020-06-01")
    for day, expected_id in (("2020-07-01", "unscr-2531"), ("2020-06-01", "unscr-2480")):
        decisions = stub.ListInternationalMandateDecisions(
            pb.ListInternationalMandateDecisionsRequest(
                parent="missions/-", filter=f"in_force_on({day})", page_size=500),
            timeout=timeout).international_mandate_decisions
        ours = [d for d in decisions if d.name.startswith(mission_name + "/")]
        citations = [b.citation.get("nl", "") for d in ours for b in d.legal_basis]
        print(f"  {day}: {len(decisions)} decisions in force; {mission_name}: "
              f"{[d.name.rsplit('/', 1)[1] for d in ours]} {citations}")
        if mission_name == "missions/minusma":
            expect([d.name.rsplit("/", 1)[1] for d in ours] == [expected_id],
                   f"expected {expected_id} in force on {day}")
    step("ListNationalMandateDecisions: mandates ending before 2021-07-01")
    ending = stub.ListNationalMandateDecisions(
        pb.ListNationalMandateDecisionsRequest(
            parent="missions/-", filter="ends_before(2021-07-01)",
            order_by="valid_until.date"),
        timeout=timeout).national_mandate_decisions
    for d in ending:
        date = d.valid_until.date
        print(f"  {date.year:04}-{date.month:02}-{date.day:02}  {d.name}")
    expect(all(d.valid_until.kind == res.EndDate.DATE for d in ending),
           "ends_before matched a mandate without an end date")

    # 4. Create a posting with a request_id; a retry returns the same record.
    posting_id = f"api-example-{uuid.uuid4().hex[:12]}"
    step(f"CreatePosting {mission_name}/postings/{posting_id}")
    create = pb.CreatePostingRequest(
        parent=mission_name, posting_id=posting_id,
        posting=res.Posting(
            year=2020,
            function={"nl": "verbindingsofficier", "en": "liaison officer"},
            place="Bamako", category=res.PERSONNEL_CATEGORY_MILITARY, count=1,
            period={"nl": "januari tot maart", "en": "January to March"}),
        request_id=str(uuid.uuid4()),
        reason="API guide example")
    created = stub.CreatePosting(create, timeout=timeout)
    print(f"  created {created.name}, etag {created.etag}, create_time "
          f"{created.create_time.ToJsonString()}")
    expect(created.name == f"{mission_name}/postings/{posting_id}", "unexpected name")
    create_revision = int(created.etag[1:])  # etags are "r<revision>"
    retried = stub.CreatePosting(create, timeout=timeout)
    expect(retried == created, "a retry with the same request_id must return the first response")
    print("  retried with the same request_id: same response, nothing written twice")

    # 5. Update with etag and update_mask; validate_only first.
    step("UpdatePosting count 1 -> 2 (etag + update_mask)")
    update = pb.UpdatePostingRequest(
        posting=res.Posting(name=created.name, etag=created.etag, count=2,
                            period={"nl": "januari tot juni", "en": "January to June"}),
        update_mask=field_mask_pb2.FieldMask(paths=["count", "period"]),
        request_id=str(uuid.uuid4()), reason="second officer added")
    dry = pb.UpdatePostingRequest()
    dry.CopyFrom(update)
    dry.validate_only = True
    dry.request_id = ""
    checked = stub.UpdatePosting(dry, timeout=timeout)
    still = stub.GetPosting(pb.GetPostingRequest(name=created.name), timeout=timeout)
    expect(checked.count == 2 and still.count == 1 and still.etag == created.etag,
           "validate_only must answer with the result and store nothing")
    print("  validate_only: would set count 2; stored record unchanged")
    updated = stub.UpdatePosting(update, timeout=timeout)
    print(f"  updated: count {updated.count}, place {updated.place!r} (kept), "
          f"etag {created.etag} -> {updated.etag}")
    expect(updated.count == 2 and updated.place == "Bamako" and updated.etag != created.etag,
           "unexpected update result")

    # 6. The same change with the old etag: ABORTED, nothing changes.
    step("UpdatePosting with the stale etag")
    stale = pb.UpdatePostingRequest()
    stale.CopyFrom(update)
    stale.request_id = ""
    stale.posting.count = 3
    error = expect_error(grpc.StatusCode.ABORTED, stub.UpdatePosting, stale, timeout=timeout)
    print(f"  ABORTED: {error.details()}")
    now = stub.GetPosting(pb.GetPostingRequest(name=created.name), timeout=timeout)
    expect(now.count == 2 and now.etag == updated.etag, "a stale update must change nothing")

    # 7. An invalid posting: every violation at once, with field paths.
    step("CreatePosting with invalid values")
    bad_name = f"{mission_name}/postings/{posting_id}-bad"
    error = expect_error(
        grpc.StatusCode.INVALID_ARGUMENT, stub.CreatePosting,
        pb.CreatePostingRequest(
            parent=mission_name, posting_id=f"{posting_id}-bad",
            posting=res.Posting(year=1900, count=0, function={"nl": ""})),
        timeout=timeout)
    print(f"  INVALID_ARGUMENT: {error.details()}")
    violations = field_violations(error)
    for field, description in violations:
        print(f"    {field}: {description}")
    fields = {field for field, _ in violations}
    for field in ("posting.year", "posting.count", "posting.category"):
        expect(field in fields, f"no violation of {field} in {sorted(fields)}")
    expect(any(f.startswith("posting.function") for f in fields),
           f"no violation of posting.function in {sorted(fields)}")
    info = error_info(error)
    expect(info is not None and info.reason == "INVALID_FIELDS",
           "expected a google.rpc.ErrorInfo with reason INVALID_FIELDS")
    print(f"    ErrorInfo: reason {info.reason}, domain {info.domain}, "
          f"metadata {dict(info.metadata)}")
    expect_error(grpc.StatusCode.NOT_FOUND, stub.GetPosting,
                 pb.GetPostingRequest(name=bad_name), timeout=timeout)
    print("  nothing was stored")

    # 8. A malformed filter names the position.
    step("ListMissions with a misspelt field in the filter")
    error = expect_error(grpc.StatusCode.INVALID_ARGUMENT, stub.ListMissions,
                         pb.ListMissionsRequest(filter="regoin = \"regions/africa\""),
                         timeout=timeout)
    violations = field_violations(error)
    print(f"    {violations[0][0]}: {violations[0][1][:90]}...")
    expect(violations and violations[0][0] == "filter" and "position 1" in violations[0][1],
           f"expected a filter violation at position 1, got {violations}")

    # 9. The audit log of the posting: the create and the update, nothing
    # from the retry, the dry run, the stale or the invalid request.
    step(f"ListAuditEvents resource={created.name}")
    events = stub.ListAuditEvents(pb.ListAuditEventsRequest(resource=created.name),
                                  timeout=timeout).audit_events
    for e in events:
        before, after = res.Posting(), res.Posting()
        if e.HasField("before"):
            e.before.Unpack(before)
        e.after.Unpack(after)
        print(f"  #{e.id} r{e.revision} {e.time.ToJsonString()} {pb.ChangeKind.Name(e.change)} "
              f"by {e.principal} from {e.peer} via {e.method} fields={list(e.fields)} "
              f"reason={e.reason!r} "
              f"count {before.count if e.HasField('before') else '-'} -> {after.count}")
    expect([pb.ChangeKind.Name(e.change) for e in events] == ["CHANGE_KIND_CREATE",
                                                              "CHANGE_KIND_UPDATE"],
           f"expected one create and one update, got {[e.change for e in events]}")
    expect(sorted(events[1].fields) == ["count", "period"], "unexpected changed fields")
    expect(events[0].request_id == create.request_id, "the audit event keeps the request_id")
    # Who: the authenticated principal (the token's subject; "anonymous" on a
    # server without authentication) and, apart from it, the transport
    # address.
    expect(all(e.principal and e.peer for e in events), "every event names principal and peer")
    if claims.get("sub"):
        expect(all(e.principal == claims["sub"] for e in events),
               f"expected the token's subject {claims['sub']!r} as principal, "
               f"got {[e.principal for e in events]}")
        print(f"  principal {events[0].principal!r} (the token's subject), display name "
              f"{events[0].principal_display_name!r}, peer {events[0].peer}")
    mine = stub.ListAuditEvents(pb.ListAuditEventsRequest(principal=events[0].principal,
                                                          resource=created.name),
                                timeout=timeout).audit_events
    expect([e.id for e in mine] == [e.id for e in events], "the principal filter finds them")

    # 10. Reading the past.
    step("as_of")
    old_mission = stub.GetMission(pb.GetMissionRequest(
        name=mission_name, as_of=pb.AsOf(revision=start_revision)), timeout=timeout)
    print(f"  {mission_name} as of revision {start_revision}: etag {old_mission.etag}")
    expect(old_mission.name == mission_name, "unexpected mission as_of")
    at_create = stub.GetPosting(pb.GetPostingRequest(
        name=created.name, as_of=pb.AsOf(revision=create_revision)), timeout=timeout)
    print(f"  posting as of revision {create_revision}: count {at_create.count}")
    expect(at_create.count == 1, "as_of the create revision must show count 1")
    at_time = stub.GetPosting(pb.GetPostingRequest(
        name=created.name, as_of=pb.AsOf(time=events[0].time)), timeout=timeout)
    print(f"  posting as of {events[0].time.ToJsonString()}: count {at_time.count}")
    expect(at_time.count == 1, "as_of the create time must show count 1")
    expect_error(grpc.StatusCode.NOT_FOUND, stub.GetPosting, pb.GetPostingRequest(
        name=created.name, as_of=pb.AsOf(revision=start_revision)), timeout=timeout)
    print(f"  posting as of revision {start_revision}: NOT_FOUND (not created yet)")

    # 11. Soft delete with the etag; show_deleted.
    step("DeletePosting")
    deleted = stub.DeletePosting(pb.DeletePostingRequest(
        name=created.name, etag=updated.etag, reason="API guide example done"),
        timeout=timeout)
    print(f"  deleted: delete_time {deleted.delete_time.ToJsonString()}, etag {deleted.etag}")
    expect(deleted.HasField("delete_time"), "a deleted posting carries delete_time")
    visible = [p.name for p in stub.ListPostings(pb.ListPostingsRequest(
        parent=mission_name), timeout=timeout).postings]
    with_deleted = [p.name for p in stub.ListPostings(pb.ListPostingsRequest(
        parent=mission_name, show_deleted=True), timeout=timeout).postings]
    expect(created.name not in visible and created.name in with_deleted,
           "a deleted posting is listed only with show_deleted")
    print(f"  listed: {created.name in visible}; with show_deleted: {created.name in with_deleted}")
    expect_error(grpc.StatusCode.FAILED_PRECONDITION, stub.UpdatePosting,
                 pb.UpdatePostingRequest(posting=res.Posting(name=created.name, count=4),
                                         update_mask=field_mask_pb2.FieldMask(paths=["count"])),
                 timeout=timeout)
    print("  updating it now: FAILED_PRECONDITION (undelete it first)")

    # 12. The change feed: everything after start_revision, in order; then
    # resume after the first event received.
    step(f"WatchChanges after_revision={start_revision}")

    def read_feed(after_revision, until_name, until_change):
        received = []
        feed = stub.WatchChanges(pb.WatchChangesRequest(after_revision=after_revision),
                                 timeout=timeout)
        try:
            for change in feed:
                received.append(change.event)
                if (change.event.resource == until_name
                        and pb.ChangeKind.Name(change.event.change) == until_change):
                    break
        finally:
            feed.cancel()
        return received

    feed = read_feed(start_revision, created.name, "CHANGE_KIND_DELETE")
    for e in feed:
        print(f"  r{e.revision} {pb.ChangeKind.Name(e.change)} {e.resource}")
    revisions = [e.revision for e in feed]
    expect(revisions == sorted(revisions) and revisions[0] > start_revision,
           "the feed must be in revision order, after after_revision")
    ours = [pb.ChangeKind.Name(e.change) for e in feed if e.resource == created.name]
    expect(ours == ["CHANGE_KIND_CREATE", "CHANGE_KIND_UPDATE", "CHANGE_KIND_DELETE"],
           f"unexpected changes of the posting on the feed: {ours}")
    resumed = read_feed(feed[0].revision, created.name, "CHANGE_KIND_DELETE")
    expect([e.id for e in resumed] == [e.id for e in feed[1:]],
           "resuming after a revision must continue without loss or repetition")
    print(f"  resumed after r{feed[0].revision}: {len(resumed)} events, the same as before")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="127.0.0.1:50051",
                        help="registry-server address, HOST:PORT")
    parser.add_argument("--ca", default="",
                        help="PEM CA bundle of the server's certificate (default: "
                             "$MISSIONS_CA, else the checkout's var/local/pki/ca.pem, "
                             "else the system's roots); the token comes from the file "
                             "$MISSIONS_TOKEN_FILE")
    parser.add_argument("--plaintext", action="store_true",
                        help="no TLS and no token (a server started with --insecure)")
    parser.add_argument("--mission", default="missions/minusma",
                        help="a mission active in 2020 in Afrika, to post to")
    parser.add_argument("--proto_dir", default=DEFAULT_PROTO_DIR,
                        help="the repository's proto/ directory")
    parser.add_argument("--googleapis_dir", default=DEFAULT_GOOGLEAPIS_DIR,
                        help="root of google/rpc and google/type protos")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="deadline of each call, seconds")
    args = parser.parse_args()

    try:
        import grpc
    except ImportError:
        print("registry_client: needs python3-grpcio and python3-protobuf "
              "(apt-get install python3-grpcio python3-protobuf; "
              "run with Debian's /usr/bin/python3)", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="registry-stubs-") as out_dir:
        try:
            generate_stubs(args.proto_dir, args.googleapis_dir, out_dir)
            grpc_stubs = import_stubs(out_dir)
            channel, claims, connection = open_channel(args)
            print(f"registry_client: {args.server} over {connection}")
            with channel:
                grpc.channel_ready_future(channel).result(timeout=args.timeout)
                run(grpc_stubs.RegistryApiStub(channel), args.mission, args.timeout, claims)
        except (Unexpected, OSError) as problem:
            print(f"\nregistry_client: UNEXPECTED: {problem}", file=sys.stderr)
            return 1
        except grpc.FutureTimeoutError:
            hint = ("a TLS server? leave out --plaintext" if args.plaintext else
                    "a plaintext server, or a certificate the CA does not verify?")
            print(f"\nregistry_client: cannot reach {args.server} over {connection} ({hint})",
                  file=sys.stderr)
            return 1
        except grpc.RpcError as error:
            hint = {
                grpc.StatusCode.UNAUTHENTICATED:
                    " (set MISSIONS_TOKEN_FILE to a file with a valid token)",
                grpc.StatusCode.PERMISSION_DENIED:
                    " (the token lacks the role the call needs)",
            }.get(error.code(), "")
            print(f"\nregistry_client: call failed unexpectedly: "
                  f"{error.code().name}: {error.details()}{hint}", file=sys.stderr)
            return 1
    print("\nregistry_client: all steps as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
