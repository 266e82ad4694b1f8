// Tables of the report: data embedded as JSON, rendered in pages of 100 rows,
// sortable by clicking a header, filtered by a text box.  Every value is put
// in the page with textContent, never as HTML: traffic cannot script the report.
(function () {
  "use strict";
  var PAGE = 100;
  var COLUMNS = {
    hosts: ["ip", "names", "asn", "as_org", "country_code", "city", "macs", "internal", "first_ts", "last_ts", "bytes_sent", "bytes_recv", "conns_orig", "conns_resp", "server_ports", "pcaps"],
    intel: ["ts", "seen.indicator", "seen.indicator_type", "seen.where", "indicators", "sources", "uid", "id.orig_h", "id.resp_h", "id.resp_p", "fuid", "pcap", "frame"],
    conn: ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "resp_name", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "resp_pkts", "retransmits", "rtt_syn", "pcap", "first_frame"],
    dns: ["ts", "uid", "id.orig_h", "id.resp_h", "proto", "query", "qtype_name", "rcode_name", "answers", "TTLs", "rtt", "pcap", "frame"],
    http: ["ts", "uid", "id.orig_h", "id.resp_h", "id.resp_p", "method", "host", "uri", "status_code", "user_agent", "request_body_len", "response_body_len", "resp_mime_types", "username", "decrypted", "pcap", "request_frame"],
    // what a reader asks first (what, how big, whole or not, from whom to whom), then the
    // evidence pointers, then the identifiers that join it to the other tables
    files: ["ts", "source", "filename", "url", "section", "mime_type", "description", "seen_bytes", "missing_bytes", "truncated", "sender", "receiver", "sha256", "pcap", "first_frame", "extracted", "decrypted", "declared_mime_type", "md5", "sha1", "fuid", "uid"],
    smtp: ["ts", "from", "to", "cc", "subject", "date", "mailfrom", "rcptto", "helo", "user_agent", "tls", "last_reply", "msg_id", "id.orig_h", "id.resp_h", "id.resp_p", "uid", "pcap", "first_frame"],
    ftp: ["ts", "id.orig_h", "id.resp_h", "id.resp_p", "user", "command", "arg", "file_size", "mime_type", "reply_code", "reply_msg", "data_channel.passive", "data_channel.resp_h", "data_channel.resp_p", "uid", "pcap", "command_frame"],
    smb_files: ["ts", "action", "path", "name", "size", "seen_bytes", "missing_bytes", "complete", "id.orig_h", "id.resp_h", "times.modified", "times.created", "fuid", "uid", "pcap", "first_frame"],
    ssl: ["ts", "uid", "id.orig_h", "id.resp_h", "id.resp_p", "version", "cipher", "server_name", "established", "ja3", "ja4", "ja3s", "cert_chain_fps", "decryption", "pcap", "frame"],
    flows: ["a_host", "a_port", "b_host", "b_port", "proto", "seen_at", "a_to_b.sent_past_first_point", "a_to_b.lost_between_points", "a_to_b.loss_rate", "a_to_b.only_at_far_point", "a_to_b.one_way_delay.median", "a_to_b.one_way_delay.p95", "b_to_a.sent_past_first_point", "b_to_a.lost_between_points", "b_to_a.loss_rate", "b_to_a.only_at_far_point", "b_to_a.one_way_delay.median", "b_to_a.one_way_delay.p95", "first_frame_a", "first_frame_b"],
    unmatched: ["ts", "point", "file", "frame", "kind", "direction", "src", "dst", "ip_proto", "ip_id", "seq", "tcp_flags", "len"],
    x509: ["ts", "fingerprint", "certificate.subject", "certificate.issuer", "certificate.serial", "certificate.not_valid_before", "certificate.not_valid_after", "san.dns", "certificate.key_type", "certificate.key_length", "self_signed", "expired_at_capture", "seen_in", "pcap"]
  };
  // headers for columns read from nested objects ("a_to_b.loss_rate")
  var LABELS = {
    "a_to_b.sent_past_first_point": "A→B sent",
    "a_to_b.lost_between_points": "A→B lost",
    "a_to_b.loss_rate": "A→B loss rate",
    "a_to_b.only_at_far_point": "A→B only at far point",
    "a_to_b.one_way_delay.median": "A→B delay median s",
    "a_to_b.one_way_delay.p95": "A→B delay p95 s",
    "b_to_a.sent_past_first_point": "B→A sent",
    "b_to_a.lost_between_points": "B→A lost",
    "b_to_a.loss_rate": "B→A loss rate",
    "b_to_a.only_at_far_point": "B→A only at far point",
    "b_to_a.one_way_delay.median": "B→A delay median s",
    "b_to_a.one_way_delay.p95": "B→A delay p95 s"
  };
  // columns made from a row's fields: who sent a file and who received it (a files
  // row says which side of its connection sent it with is_orig)
  var DERIVED = {
    sender: function (r) { return r.is_orig === undefined ? undefined : (r.is_orig ? r["id.orig_h"] : r["id.resp_h"]); },
    receiver: function (r) { return r.is_orig === undefined ? undefined : (r.is_orig ? r["id.resp_h"] : r["id.orig_h"]); }
  };
  LABELS.sender = "from";
  LABELS.receiver = "to";
  LABELS.description = "type (libmagic)";
  // columns shown only when some row has them (--mmdb's owner and place of
  // hosts; the IMAP section a file was fetched as)
  var OPTIONAL = { asn: 1, as_org: 1, country_code: 1, city: 1, section: 1, url: 1, declared_mime_type: 1, decrypted: 1 };
  var TIME = /(^ts$|_ts$|not_valid|^times\.)/;
  // short identifiers that read wrong when broken across lines (on paper)
  var KEY = /^(ts|uid|fuid|sender|receiver|id\.(orig|resp)_[hp]|[ab]_(host|port)|src|dst|proto|conn_state|history|pcap|ip|first_ts|last_ts)$/;
  var TZ = 0;

  function fmtTime(v) {
    if (typeof v !== "number") return v;
    var d = new Date((v + TZ) * 1000);
    return d.toISOString().replace("T", " ").replace("Z", "");
  }
  // a column's value: the field of that name (Zeek's names contain dots, e.g.
  // "id.orig_h"), else the path through nested objects
  function get(r, c) {
    if (Object.prototype.hasOwnProperty.call(r, c)) return r[c];
    if (Object.prototype.hasOwnProperty.call(DERIVED, c)) return DERIVED[c](r);
    var v = r, parts = c.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (v === null || typeof v !== "object") return undefined;
      v = v[parts[i]];
    }
    return v;
  }
  // an object (hosts' {"mac":..,"vendor":..}) as its first value with the
  // others in parentheses, nulls left out; the workbook writes the same (xlsx.c)
  function value(x) {
    if (x === null || typeof x !== "object" || Array.isArray(x)) return typeof x === "string" ? x : JSON.stringify(x);
    var vals = Object.keys(x).filter(function (k) { return x[k] !== null; }).map(function (k) { return value(x[k]); });
    return vals.length > 1 ? vals[0] + " (" + vals.slice(1).join(", ") + ")" : vals.join("");
  }
  function cell(col, v) {
    if (v === undefined || v === null) return "";
    if (Array.isArray(v)) return v.map(value).join(", ");
    if (typeof v === "object") return value(v);
    if (TIME.test(col)) return fmtTime(v);
    return String(v);
  }
  function build(el, rows, cols) {
    var state = { sort: null, dir: 1, filter: "", page: 0 };
    var controls = document.createElement("div");
    controls.className = "controls";
    var input = document.createElement("input");
    input.placeholder = "Filter " + rows.length + " rows…";
    var info = document.createElement("span");
    info.className = "note";
    var prev = document.createElement("button"); prev.textContent = "‹ Prev";
    var next = document.createElement("button"); next.textContent = "Next ›";
    controls.appendChild(input); controls.appendChild(prev); controls.appendChild(next); controls.appendChild(info);
    var table = document.createElement("table");
    var thead = document.createElement("thead"), tbody = document.createElement("tbody");
    var tr = document.createElement("tr");
    cols.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = LABELS[c] || c;
      if (LABELS[c]) th.title = c;
      th.setAttribute("data-col", c);
      th.addEventListener("click", function () {
        state.dir = state.sort === c ? -state.dir : 1; state.sort = c; state.page = 0; render();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr); table.appendChild(thead); table.appendChild(tbody);
    // on paper the controls are hidden: say what the printed rows are
    var printnote = document.createElement("p");
    printnote.className = "printnote";
    el.appendChild(controls); el.appendChild(printnote); el.appendChild(table);
    var text = rows.map(function (r) { return cols.map(function (c) { return cell(c, get(r, c)); }).join(" ").toLowerCase(); });
    function render() {
      var f = state.filter, idx = [];
      for (var i = 0; i < rows.length; i++) if (!f || text[i].indexOf(f) >= 0) idx.push(i);
      if (state.sort) {
        var c = state.sort;
        idx.sort(function (a, b) {
          var x = get(rows[a], c), y = get(rows[b], c);
          if (x === y) return a - b;
          if (x === undefined || x === null) return 1;
          if (y === undefined || y === null) return -1;
          return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * state.dir;
        });
      }
      var pages = Math.max(1, Math.ceil(idx.length / PAGE));
      if (state.page >= pages) state.page = pages - 1;
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      idx.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (i) {
        var r = document.createElement("tr");
        cols.forEach(function (c) {
          var td = document.createElement("td");
          td.setAttribute("data-col", c);
          var v = get(rows[i], c);
          if (typeof v === "number" && !TIME.test(c)) td.className = "num";
          else if (KEY.test(c)) td.className = "key";
          var text = cell(c, v);
          if ((c === "sha256" || c === "sha1" || c === "fingerprint") && text.length > 8) {
            // a digest breaks only in its middle (report.css)
            var half = Math.ceil(text.length / 2);
            td.appendChild(document.createTextNode(text.slice(0, half)));
            td.appendChild(document.createElement("wbr"));
            td.appendChild(document.createTextNode(text.slice(half)));
          } else td.textContent = text;
          r.appendChild(td);
        });
        tbody.appendChild(r);
      });
      info.textContent = idx.length + " of " + rows.length + " rows · page " + (state.page + 1) + " of " + pages;
      var first = idx.length ? state.page * PAGE + 1 : 0, last = Math.min(idx.length, (state.page + 1) * PAGE);
      printnote.textContent = "Printed: rows " + first + "–" + last + " of " + idx.length +
        (idx.length < rows.length ? " matching the filter (" + rows.length + " in all)" : "") +
        (idx.length > PAGE ? "; every row is in the workbook and logs/ of the case folder." : ".");
    }
    input.addEventListener("input", function () { state.filter = input.value.toLowerCase(); state.page = 0; render(); });
    prev.addEventListener("click", function () { if (state.page > 0) { state.page--; render(); } });
    next.addEventListener("click", function () { state.page++; render(); });
    render();
  }
  var tzEl = document.getElementById("tz-offset");
  if (tzEl) TZ = JSON.parse(tzEl.textContent);
  Array.prototype.forEach.call(document.querySelectorAll("[data-table]"), function (el) {
    var name = el.getAttribute("data-table");
    var src = document.getElementById("data-" + name);
    var rows = src ? JSON.parse(src.textContent) : [];
    if (!rows.length) {
      var p = document.createElement("p"); p.className = "empty"; p.textContent = "Nothing recorded.";
      el.appendChild(p); return;
    }
    var cols = (COLUMNS[name] || Object.keys(rows[0])).filter(function (c) {
      return !OPTIONAL[c] || rows.some(function (r) { return get(r, c) !== undefined; });
    });
    build(el, rows, cols);
  });
})();
