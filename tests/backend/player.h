/* SPDX-License-Identifier: MIT */
/*
 * player.h - an honest guest for tests of the vsndbe binary: a child
 * process on libvsndfront that plays stream 0 of its card (48 kHz S16_LE
 * stereo, a PLAYER_BUFFER-octet buffer) like a real player, writing each
 * period as soon as one is free, until it is told to stop; then it waits
 * for the position to reach every octet written, STOPs and CLOSEs. It
 * times every WRITE. The bytes played are player_pattern(0), (1), ...
 */
#ifndef VSND_TEST_PLAYER_H
#define VSND_TEST_PLAYER_H

#include <stdint.h>
#include <sys/types.h>

#define PLAYER_BUFFER 16384u
#define PLAYER_PERIOD 4096u

struct player_result {
	int32_t status;		/* 0, or the negative errno that stopped it */
	uint64_t bytes;		/* played (and written) */
	uint64_t requests;
	uint64_t max_req_ms;	/* slowest request seen */
};

struct player {
	pid_t pid;
	int cmd;		/* write a byte: stop */
	int res;		/* one byte when playing, then the result */
};

struct vsndfe_stream;

/* Consume CUR_POS events until @s's position reaches @bytes; fail the
 * test after 30 s. */
void player_wait_position(struct vsndfe_stream *s, uint64_t bytes);

/* Octet @i of what the player plays. */
uint8_t player_pattern(uint64_t i);
/* Fork the player as guest @domid of @spec; return once it is playing. */
void player_start(struct player *pl, const char *spec, uint32_t domid);
/* Tell it to stop and collect its result. */
void player_finish(struct player *pl, struct player_result *res);

#endif /* VSND_TEST_PLAYER_H */
