"""Checks the Dockerfile without a Docker engine: it must parse with Docker's own parser (the
`dockerfile` package wraps BuildKit's Go parser) and keep the rules the README promises."""

import sys

import dockerfile

KNOWN = {
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir", "maintainer",
}


def fail(message):
    print(f"Dockerfile: {message}", file=sys.stderr)
    sys.exit(1)


def main(path):
    try:
        commands = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        fail(f"does not parse: {e}")
    stages, final = [], []
    for c in commands:
        cmd = c.cmd.lower()
        if cmd not in KNOWN:
            fail(f"line {c.start_line}: unknown instruction {c.cmd}")
        if cmd == "from":
            parts = [v.lower() for v in c.value]
            stages.append(parts[2] if len(parts) == 3 and parts[1] == "as" else None)
            final = []
        for flag in c.flags:
            if flag.startswith("--from="):
                source = flag.split("=", 1)[1]
                if source not in stages[:-1]:
                    fail(f"line {c.start_line}: COPY --from={source} names no earlier stage")
        if cmd == "add" and any(v.startswith(("http://", "https://")) for v in c.value):
            fail(f"line {c.start_line}: ADD of a URL; download in a RUN step with a checksum")
        final.append(c)
    if len(stages) < 2:
        fail("must be multi-stage (a build stage and a small runtime stage)")
    users = [c for c in final if c.cmd.lower() == "user"]
    if not users or users[-1].value[0].split(":")[0] in ("root", "0"):
        fail("the runtime stage must switch to a non-root USER")
    checks = [c for c in final if c.cmd.lower() == "healthcheck"]
    if not checks or checks[-1].value[0].upper() != "CMD" or "healthcheck" not in checks[-1].value:
        fail("the runtime stage needs HEALTHCHECK CMD … healthcheck (the binary asks /healthz)")
    entry = [c for c in final if c.cmd.lower() == "entrypoint"]
    if not entry or not entry[-1].json:
        fail("ENTRYPOINT must be in exec (JSON) form so the server gets SIGTERM")
    if not any(c.cmd.lower() == "expose" and "8080" in c.value for c in final):
        fail("the runtime stage must EXPOSE 8080")
    print(f"Dockerfile: {len(commands)} instructions in {len(stages)} stages, OK")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Dockerfile")
