"""A tiny SMTP server for tests: one connection on a free loopback port, messages kept."""

from __future__ import annotations

import threading


class SmtpSink:
    """A tiny SMTP server on a free loopback port that keeps the messages it receives."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        stream = conn.makefile("rwb")

        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()
        say("220 sink")
        data: list[bytes] = []
        while line := stream.readline():
            cmd = line.strip().upper()
            if cmd.startswith((b"EHLO", b"HELO")):
                say("250 sink")
            elif cmd == b"DATA":
                say("354 go")
                while (chunk := stream.readline()) != b".\r\n":
                    data.append(chunk)
                self.messages.append(b"".join(data))
                say("250 ok")
            elif cmd == b"QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()
