"""The per-process SQLite writer queue (db.session.WriterQueue): arrival order, re-entrancy, timeouts."""

from __future__ import annotations

import threading
import time

from core.errors import StorageError
from db.session import WriterQueue


def _wait_for_waiters(queue: WriterQueue, n: int) -> None:
    deadline = time.monotonic() + 5
    while len(queue._waiters) < n:
        assert time.monotonic() < deadline, "waiters did not queue up"
        time.sleep(0.001)


def test_turns_are_taken_in_arrival_order():
    queue, order = WriterQueue(), []
    queue.acquire()  # the main thread holds the turn while the others line up one by one

    def writer(n: int) -> None:
        queue.acquire()
        order.append(n)
        queue.release()

    threads = []
    for n in range(8):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        threads.append(t)
        _wait_for_waiters(queue, n + 1)
    queue.release()
    for t in threads:
        t.join(5)
    assert order == list(range(8))
    assert queue._owner is None and not queue._waiters


def test_the_holder_may_enter_again():
    queue = WriterQueue()
    queue.acquire()
    queue.acquire()  # nested write_session in the same thread
    queue.release()
    assert queue._owner == threading.get_ident()
    queue.release()
    assert queue._owner is None


def test_a_waiter_that_times_out_gets_a_chinese_message_and_leaves_the_line():
    queue, got = WriterQueue(timeout=0.05), []
    queue.acquire()

    def late() -> None:
        try:
            queue.acquire()
            got.append("turn")
            queue.release()
        except StorageError as exc:
            got.append(exc.message)

    t = threading.Thread(target=late)
    t.start()
    t.join(5)
    assert got and "系统繁忙" in got[0]
    assert not queue._waiters
    queue.release()
    assert queue._owner is None
    queue.acquire()  # the queue still works for the next writer
    queue.release()


def test_many_threads_never_overlap():
    queue, inside, overlaps, done = WriterQueue(), [0], [0], [0]

    def writer() -> None:
        for _ in range(200):
            queue.acquire()
            inside[0] += 1
            if inside[0] != 1:
                overlaps[0] += 1
            inside[0] -= 1
            done[0] += 1
            queue.release()

    threads = [threading.Thread(target=writer) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert overlaps[0] == 0 and done[0] == 16 * 200


def test_release_without_waiters_frees_the_turn():
    queue = WriterQueue()
    queue.acquire()
    queue.release()
    assert queue._owner is None and queue._depth == 0
