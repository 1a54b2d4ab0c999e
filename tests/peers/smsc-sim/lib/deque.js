'use strict';

// FIFO with amortised O(1) push, shift and unshift, for long queues and record logs.
class Deque {
  constructor() {
    this.items = [];
    this.head = 0;
  }

  get length() {
    return this.items.length - this.head;
  }

  push(x) {
    this.items.push(x);
  }

  unshift(x) {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
  }

  shift() {
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  * [Symbol.iterator]() {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}

module.exports = { Deque };
