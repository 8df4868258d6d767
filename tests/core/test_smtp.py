"""Sending through smtplib with the final « . » held back (core/smtp.py), against a real SMTP
server on 127.0.0.1: the hold runs after the message and before the « . », and a hold that
refuses leaves the server without any message."""

import pytest

from mandature.core.mail import Identity, compose
from mandature.core.smtp import Connection

IDENTITY = Identity("ar@hlm.test", "", "AR Hlm")


def message(n: int) -> bytes:
    return compose(
        identity=IDENTITY,
        to=[("Élue", f"elue-{n}@mairie.test")],
        subject=f"Message {n}",
        text=".Une ligne qui commence par un point\n",
    ).as_bytes()


class Refused(Exception):
    pass


class Hold:
    def __init__(self, sink, refuse: bool = False):
        self.sink, self.refuse, self.calls = sink, refuse, []

    def start(self):
        self.calls.append(("start", len(self.sink.messages)))
        if self.refuse:
            raise Refused

    def finish(self):
        self.calls.append(("finish", len(self.sink.messages)))


def test_one_connection_many_messages_each_recorded_before_its_final_dot(smtp_sink):
    connection = Connection()
    for n in range(3):
        hold = Hold(smtp_sink)
        code, _ = connection.send("ar@hlm.test", [f"elue-{n}@mairie.test"], message(n), hold)
        assert code == 250
        assert hold.calls[0] == ("start", n)  # the server had not taken it yet
        assert [call for call, _ in hold.calls] == ["start", "finish"]
        assert len(smtp_sink.messages) == n + 1
    connection.quit()
    assert [m["Subject"] for m in smtp_sink.messages] == ["Message 0", "Message 1", "Message 2"]
    body = smtp_sink.messages[0].get_body(("plain",)).get_content()
    assert body.startswith(".Une ligne")  # dot-stuffed by smtplib, unstuffed by the server


def test_a_hold_that_refuses_drops_the_message_unfinished(smtp_sink):
    connection = Connection()
    with pytest.raises(Refused):
        connection.send("ar@hlm.test", ["elue-1@mairie.test"], message(1), Hold(smtp_sink, True))
    connection.close()
    connection = Connection()
    assert connection.send("ar@hlm.test", ["elue-2@mairie.test"], message(2))[0] == 250
    connection.quit()
    assert [m["Subject"] for m in smtp_sink.messages] == ["Message 2"]
