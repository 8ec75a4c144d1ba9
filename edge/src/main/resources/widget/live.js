/*
 * comments live client (docs/live.md): follows one thread over a websocket, resumes from the last
 * position it saw after any disconnect, and reconnects after a random delay that doubles with each
 * failure, so that the readers of a restarted node come back spread out. Plain JavaScript, no
 * dependencies; the widget uses it, and any page may: CommentsLive.connect({...}).
 */
window.CommentsLive =
  window.CommentsLive ||
  (function () {
    'use strict';

    // Close codes after which trying again cannot help: bad request, refused origin, no tenant.
    var FINAL = { 4400: true, 4403: true, 4404: true, 1003: true, 1007: true, 1009: true };

    /**
     * options: base ('https://comments.example'), tenant, thread, since (the page's
     * X-Thread-Position), token() (the session token or null), onMessage(message),
     * onState(state, detail) with state 'open' | 'reconnecting' (detail: delay ms) |
     * 'closed' (detail: close event); minDelay (1000), maxDelay (30000), random (Math.random).
     */
    function connect(options) {
      var minDelay = options.minDelay || 1000;
      var maxDelay = options.maxDelay || 30000;
      var random = options.random || Math.random;
      var position = typeof options.since === 'number' ? options.since : null;
      var failures = 0;
      var socket = null;
      var timer = null;
      var stopped = false;

      function state(name, detail) {
        if (options.onState) options.onState(name, detail);
      }

      function url() {
        var base = options.base.replace(/^http/, 'ws');
        var path =
          '/live/v1/tenants/' +
          encodeURIComponent(options.tenant) +
          '/threads/' +
          encodeURIComponent(options.thread);
        return base + path + (position === null ? '' : '?since=' + position);
      }

      function open() {
        timer = null;
        var protocols = ['comments.v1'];
        var token = options.token && options.token();
        if (token) protocols.push('bearer.' + token);
        var ws;
        try {
          ws = new WebSocket(url(), protocols);
        } catch (e) {
          retry();
          return;
        }
        socket = ws;
        ws.onopen = function () {
          failures = 0;
          state('open');
        };
        ws.onmessage = function (event) {
          var message;
          try {
            message = JSON.parse(event.data);
          } catch (e) {
            return;
          }
          // Resume from the newest change seen; a resync is the page's to answer by reloading.
          if (message.type !== 'resync' && typeof message.position === 'number') {
            if (position === null || message.position > position) position = message.position;
          }
          options.onMessage(message);
        };
        ws.onclose = function (event) {
          if (socket !== ws) return;
          socket = null;
          if (stopped) return;
          state('closed', event);
          if (!FINAL[event.code]) retry();
        };
      }

      function retry() {
        failures += 1;
        var ceiling = Math.min(maxDelay, minDelay * Math.pow(2, failures - 1));
        // Half fixed, half random: never a thundering herd, never an instant hammering retry.
        var delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
        state('reconnecting', delay);
        timer = setTimeout(open, delay);
      }

      open();

      return {
        /** The newest position seen: where a new connection resumes. */
        position: function () {
          return position;
        },
        /** After a reload, resume from the page's position. */
        resumeFrom: function (since) {
          position = since;
        },
        /** Drops the connection and opens a new one at once (a new session, say). */
        reconnect: function () {
          if (timer) clearTimeout(timer);
          failures = 0;
          var old = socket;
          socket = null;
          if (old) old.close(1000);
          open();
        },
        close: function () {
          stopped = true;
          if (timer) clearTimeout(timer);
          if (socket) socket.close(1000);
          socket = null;
        },
      };
    }

    return { connect: connect };
  })();
