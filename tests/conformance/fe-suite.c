// SPDX-License-Identifier: MIT
/*
 * fe-suite.c - the frontend role's scenarios, in the order they run.
 *
 * Order: the handshake first (the only scenarios that run before a
 * connection exists), then every operation with valid values, the Linux
 * frontend's habits, hostile requests on a healthy connection, and last
 * the scenarios that restart or break the connection. Those marked
 * CF_BREAKS leave the device disconnected; the runner then goes back to
 * Initialising (FE 1) and runs the whole handshake again before the next
 * scenario, as it does after any failure. The ring overflow disconnects
 * the device for good and runs last.
 */
#include "fe-scen.h"
#include "vsnd-common/util.h"

#define S(n, fn, flags, claim) { n, claim, fn, flags }

const struct cf_scenario cf_fe_scenarios[] = {
	S("initwait", sc_initwait, CF_UNLINKED,
	  "The backend puts the device in InitWait (2) within 10 s, and back in it when the "
	  "frontend is Initialising (1)."),
	S("versions", sc_versions, CF_UNLINKED,
	  "The backend's `versions` node lists protocol version 2."),
	S("connect", sc_connect, CF_UNLINKED,
	  "Once every stream's ring-ref, event-channel, evt-ring-ref and evt-event-channel "
	  "are published and the frontend is Initialised (3), the backend goes Connected (4)."),
	S("ids-from-zero", sc_ids_from_zero, 0,
	  "CUR_POS event ids on a new connection start at 0 and go up by one (lockstep)."),
	S("ready-at-connected", sc_ready_at_connected, CF_UNLINKED,
	  "Requests sent the moment the backend is Connected, before the frontend is, are "
	  "answered."),
	S("open-close", sc_open_close, 0,
	  "OPEN with values the card allows and CLOSE succeed on every stream."),
	S("close-unopened", sc_close_unopened, 0,
	  "CLOSE of a stream that is not open answers 0 or -EINVAL."),
	S("write", sc_write, 0,
	  "WRITE of whole periods inside the buffer of an open playback stream succeeds."),
	S("read", sc_read, 0,
	  "READ of captured data on a started capture stream succeeds."),
	S("volume", sc_volume, 0,
	  "SET_VOLUME is answered -ENOSYS/-EOPNOTSUPP or succeeds, and then GET_VOLUME gives "
	  "back the values set."),
	S("mute", sc_mute, 0,
	  "MUTE and UNMUTE of every channel succeed, or MUTE answers -ENOSYS/-EOPNOTSUPP."),
	S("start-stop", sc_start_stop, 0,
	  "TRIGGER START of a filled playback stream and STOP succeed."),
	S("pause-resume", sc_pause_resume, 0,
	  "TRIGGER PAUSE of a running stream and RESUME succeed (REQ-14)."),
	S("query", sc_query, 0,
	  "HW_PARAM_QUERY of a stream's own limits answers 0 with a non-empty space inside "
	  "the request."),
	S("write-zero", sc_write_zero, 0,
	  "WRITE of 0 octets succeeds and changes nothing (rule 23)."),
	S("before-open", sc_before_open, 0,
	  "WRITE, READ, START and SET_VOLUME before OPEN answer an error (rules 27, 36)."),
	S("after-close", sc_after_close, 0,
	  "WRITE and START after CLOSE answer an error (rule 27)."),
	S("wrong-direction", sc_wrong_direction, 0,
	  "READ on a playback stream and WRITE on a capture stream answer an error "
	  "(rule 26)."),
	S("reopen-without-close", sc_reopen, 0,
	  "OPEN on an open stream, repeated with new buffers and no CLOSE (Linux's second "
	  "hw_params), succeeds and the stream then plays."),
	S("start-while-paused", sc_start_paused, 0,
	  "START of a paused stream succeeds and CUR_POS events resume (Linux resumes from "
	  "suspend with START)."),
	S("query-narrowing", sc_query_narrow, 0,
	  "HW_PARAM_QUERYs narrowing one parameter at a time down to one configuration are "
	  "each answered 0, inside the request, in frames (buffer-size/frame fits, one frame "
	  "more does not), and that configuration opens."),
	S("query-many", sc_query_many, 0,
	  "300 HW_PARAM_QUERYs before OPEN are each answered within 3 s."),
	S("query-while-running", sc_query_running, 0,
	  "HW_PARAM_QUERYs on a running stream are answered 0 and playback goes on."),
	S("answer-within-3s", sc_answer_3s, 0,
	  "Every request of a whole playback session, and every one so far, is answered "
	  "within 3 s."),
	S("ids-across-reopen", sc_ids_across_reopen, 0,
	  "CUR_POS event ids continue across CLOSE and a new OPEN; they are never reset on "
	  "the same connection."),
	S("positions-monotonic", sc_monotonic, 0,
	  "CUR_POS positions count octets from OPEN, never go back and never pass what was "
	  "written."),
	S("positions-from-open", sc_pos_from_open, 0,
	  "After CLOSE and a new OPEN, positions count again from the new OPEN."),
	S("finer-than-period", sc_finer_than_period, 0,
	  "CUR_POS comes more than once per period, so Linux's strict period test wakes the "
	  "guest for nearly every period."),
	S("silent-when-stopped", sc_silent_stopped, 0,
	  "No CUR_POS comes before START, after STOP or PAUSE is answered, or after CLOSE."),
	S("realign-after-stop", sc_realign, 0,
	  "START after STOP moves the position up to the next multiple of buffer_sz "
	  "(REQ-20), never back."),
	S("period-zero", sc_period_zero, 0,
	  "OPEN with period_sz 0 is refused, or the running stream sends no CUR_POS."),
	S("event-reserved-zero", sc_evt_reserved, 0,
	  "Every event is a CUR_POS with its reserved octets zero (rule 7)."),
	S("unknown-ops", sc_unknown_ops, 0,
	  "Every operation from 10 to 255 answers an error with the request's id and "
	  "operation (rules 5, 6)."),
	S("bad-rates", sc_bad_rates, 0,
	  "OPEN with a rate of 0, 1, 2^32-1 or one not configured answers an error (rule 30)."),
	S("bad-channels", sc_bad_channels, 0,
	  "OPEN with 0 channels, one more than channels-max or 255 answers an error (rule 31)."),
	S("bad-formats", sc_bad_formats, 0,
	  "OPEN with an undefined format, one without a frame size or one not configured "
	  "answers an error (rule 32)."),
	S("bad-buffer", sc_bad_buffer, 0,
	  "OPEN with buffer_sz 0, 2^32-1, over buffer-size or not whole frames answers an "
	  "error (rules 11, 12)."),
	S("bad-period", sc_bad_period, 0,
	  "OPEN with period_sz larger than buffer_sz answers an error (rule 33)."),
	S("directory-loop", sc_dir_loop, 0,
	  "OPEN whose page directory points back to itself answers an error (rule 14)."),
	S("directory-short", sc_dir_short, 0,
	  "OPEN whose directory chain ends early or holds gref 0 answers an error (rule 15)."),
	S("directory-foreign", sc_dir_foreign, 0,
	  "OPEN with a never-granted or another domain's gref, in the directory or as it, "
	  "answers an error, and the repaired directory then opens (rule 17)."),
	S("bad-offset", sc_bad_offset, 0,
	  "WRITE at an offset at or past buffer_sz answers an error (rule 22)."),
	S("wrap-around", sc_wrap, 0,
	  "WRITE whose offset + length passes buffer_sz or wraps 2^32 answers an error "
	  "(rule 24)."),
	S("partial-frame", sc_partial_frame, 0,
	  "WRITE of a length or at an offset that is not whole frames answers an error "
	  "(rule 25)."),
	S("query-malformed", sc_query_malformed, 0,
	  "HW_PARAM_QUERY with min > max, every format bit, all zeros or all ones answers an "
	  "error or a non-empty space inside the request (rule 34)."),
	S("trigger-unknown", sc_trigger_unknown, 0,
	  "TRIGGER of every type from 4 to 255 answers an error (rule 35)."),
	S("volume-bad", sc_volume_bad, 0,
	  "SET_VOLUME, GET_VOLUME and MUTE of a wrong length or outside the buffer answer an "
	  "error (rule 37)."),
	S("ring-full", sc_ring_full, 0,
	  "32 requests queued at once (a full ring) are all answered, in order, with their "
	  "ids (rule 5)."),
	S("event-storm", sc_storm, 0,
	  "A storm of spurious notifications on both event channels does not stop the "
	  "backend answering and playing (rule 47)."),
	S("reconnect", sc_reconnect, 0,
	  "When the frontend goes back to Initialising (1) the backend returns to InitWait and "
	  "connects the new rings."),
	S("ids-after-reconnect", sc_ids_after_reconnect, 0,
	  "After a reconnection CUR_POS ids start again at 0."),
	S("version-mismatch", sc_version_bad, CF_BREAKS,
	  "A frontend `version` other than 2 is refused: the backend goes Closing or Closed, "
	  "not Connected (rule 41)."),
	S("garbage-ring-ref", sc_garbage_ring_ref, CF_BREAKS,
	  "A ring-ref or evt-ring-ref that is not a canonical grant reference fails the "
	  "connection cleanly: Closing or Closed, not Connected (rule 42)."),
	S("garbage-event-channel", sc_garbage_evtchn, CF_BREAKS,
	  "An event-channel or evt-event-channel that is not a port for the backend fails "
	  "the connection cleanly: Closing or Closed, not Connected (rule 42)."),
	S("rewrite-type-live", sc_rewrite_live, 0,
	  "Rewriting a connected stream's `type` and `unique-id` does not change its "
	  "direction (rule 40)."),
	S("rewrite-type-reconnect", sc_rewrite_reconnect, CF_BREAKS,
	  "After rewriting a playback stream's `type` to capture and reconnecting, the "
	  "connection is refused or the stream still plays and refuses READ (rule 40)."),
	S("ring-overflow", sc_ring_overflow, CF_BREAKS,
	  "A req_prod more than the ring size ahead makes the backend stop consuming and "
	  "disconnect the device (rules 2, 3)."),
};

const size_t cf_fe_n_scenarios = ARRAY_SIZE(cf_fe_scenarios);
