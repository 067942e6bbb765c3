// SPDX-License-Identifier: MIT
/*
 * test-pcm-vsnd.c - the pcm_vsnd ALSA plugin (frontend/alsa) through
 * xensimd and the real vsndbe.
 *
 * xensimd plays Xen; domain 5 gets a card of one playback and one capture
 * stream written as libxl would (fetree.c); vsndbe ($VTEST_VSNDBE) serves
 * it with "file:" host devices in a temporary directory. The guest is
 * aplay or arecord (alsa-utils) acting as domain 5 through a private ALSA
 * configuration that defines `pcm.x { type vsnd ... }` and loads the
 * plugin from the build tree ($VTEST_PCM_VSND); with an ASan build the
 * tools get libasan preloaded ($VTEST_ASAN_RT). Some checks open the PCM
 * in the test process itself with alsa-lib.
 *
 * Every wait is on a pipe (readiness lines, a tool's stderr reaching EOF)
 * with a generous bound, never on time passing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#include "fetree.h"
#include "simd.h"
#include "util.h"
#include "vsndbe-proc.h"
#include "vtest.h"

#define GUEST 5u
/* aplay pads its last chunk to a period with silence: play whole periods. */
#define PERIOD_FRAMES 1024u
#define PERIODS 40u

struct rig {
	struct vsndbe_world w;
	struct vsndbe_proc be;
	char conf[128];
};

struct fmt {
	unsigned int rate, bits, channels;
};

static void write_conf(struct rig *r)
{
	const char *plugin = getenv("VTEST_PCM_VSND"), *shipped = getenv("VTEST_VSND_CONF");
	FILE *f;

	if (!plugin || access(plugin, R_OK) < 0)
		vtest_skip("$VTEST_PCM_VSND (the plugin) is not built");
	ASSERT_NOT_NULL(shipped);
	snprintf(r->conf, sizeof(r->conf), "%s/asound.conf", r->w.dir);
	f = fopen(r->conf, "we");
	ASSERT_NOT_NULL(f);
	fprintf(f, "pcm_type.vsnd { lib \"%s\" }\n", plugin);
	/* pcm.vsnd, as installed in alsa.conf.d. */
	fprintf(f, "<%s>\n", shipped);
	fprintf(f, "pcm.x {\n\ttype vsnd\n\txen \"%s\"\n\tdomid %u\n\tdevid 0\n}\n",
		r->w.sim.spec, GUEST);
	/* A domain that has no vsnd device. */
	fprintf(f, "pcm.wrong_domain {\n\ttype vsnd\n\txen \"%s\"\n\tdomid 9\n}\n",
		r->w.sim.spec);
	ASSERT_EQ(fclose(f), 0);
}

/* xensimd, guest 5 with a stereo card offering @formats, vsndbe. */
static void rig_begin(struct rig *r, const char *formats)
{
	struct fetree t = {
		.guest = GUEST,
		.sample_formats = formats,
		.n_streams = 2,
		.s = { { 0, 0, "p" }, { 0, 1, "c" } },
	};

	vsndbe_world_begin(&r->w);
	write_conf(r);
	vsndbe_world_guest(&r->w, &t, "alsa-guest");
	vsndbe_proc_spawn(&r->be,
			  (const char *const[]){ r->w.xen, "--single-process", r->w.sink, NULL },
			  false);
	vsndbe_proc_wait_ready(&r->be);
}

static void rig_end(struct rig *r)
{
	vsndbe_proc_stop(&r->be);
	vsndbe_world_end(&r->w);
}

static uint8_t *pattern(size_t len, uint32_t seed)
{
	uint8_t *d = malloc(len);

	ASSERT_NOT_NULL(d);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		d[i] = (uint8_t)(seed >> 16);
	}
	return d;
}

static void put_le(uint8_t *p, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A PCM WAV file holding @len octets of @data. */
static void write_wav(const char *path, const struct fmt *f, const uint8_t *data, uint32_t len)
{
	uint32_t frame = f->bits / 8 * f->channels;
	uint8_t h[44] = "RIFF----WAVEfmt ----" "------------" "----data----";
	int fd;

	put_le(h + 4, 36 + len, 4);
	put_le(h + 16, 16, 4);
	put_le(h + 20, 1, 2);
	put_le(h + 22, f->channels, 2);
	put_le(h + 24, f->rate, 4);
	put_le(h + 28, f->rate * frame, 4);
	put_le(h + 32, frame, 2);
	put_le(h + 34, f->bits, 2);
	put_le(h + 40, len, 4);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	ASSERT_EQ(write(fd, data, len), (ssize_t)len);
	ASSERT_OK(close(fd));
}

static void child_env(const struct rig *r)
{
	const char *asan = getenv("VTEST_ASAN_RT");

	setenv("ALSA_CONFIG_PATH", r->conf, 1);
	/* alsa-utils are not built with ASan: an ASan-built plugin needs the
	 * runtime loaded first, and the tools' own allocations are not ours
	 * to check for leaks. */
	if (asan && *asan) {
		setenv("LD_PRELOAD", asan, 1);
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	}
}

/* Run @argv (an alsa-utils tool) as the guest; its stderr in @err. */
static int run_tool(const struct rig *r, const char *const *argv, char *err, size_t size)
{
	int e[2], status;
	pid_t pid;

	ASSERT_OK(pipe2(e, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		child_env(r);
		dup2(e[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(e[1]);
	vsndbe_proc_read_all(e[0], err, size);
	close(e[0]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (status)
		fprintf(stderr, "%s exited with status %#x:\n%s\n", argv[0], (unsigned int)status,
			err);
	return status;
}

static void need_tool(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/usr/bin/%s", name);
	if (access(path, X_OK) < 0)
		vtest_skip("%s is not installed (alsa-utils)", name);
}

/* aplay a WAV of whole periods; vsndbe's WAV must hold exactly its data. */
static void play_case(const struct fmt *f, const char *formats, bool shipped)
{
	uint32_t len = PERIOD_FRAMES * PERIODS * (f->bits / 8) * f->channels, got;
	char wav[160], out[160], err[4096], period[32], buffer[32], dev[400];
	uint8_t *data = pattern(len, f->rate + f->bits + f->channels), *d;
	struct rig r;

	need_tool("aplay");
	rig_begin(&r, formats);
	snprintf(wav, sizeof(wav), "%s/in.wav", r.w.dir);
	write_wav(wav, f, data, len);
	/* pcm.x, or the shipped pcm.vsnd with its arguments. */
	if (shipped)
		snprintf(dev, sizeof(dev), "vsnd:DEV=0,XEN=\"%s\",DOMID=%u", r.w.sim.spec, GUEST);
	else
		snprintf(dev, sizeof(dev), "x");
	snprintf(period, sizeof(period), "--period-size=%u", PERIOD_FRAMES);
	snprintf(buffer, sizeof(buffer), "--buffer-size=%u", PERIOD_FRAMES * 8);
	ASSERT_EQ(run_tool(&r, (const char *const[]){ "aplay", "-q", "-D", dev, period, buffer,
						       wav, NULL },
			   err, sizeof(err)), 0);
	d = vsndbe_wav_data(vsndbe_world_wav(&r.w, GUEST, out, sizeof(out)), &got);
	ASSERT_EQ(got, len);
	ASSERT_MEMEQ(d, data, len);
	free(d);
	free(data);
	rig_end(&r);
}

TEST_TIMEOUT(aplay_s16_stereo_48k_bit_exact, 120)
{
	play_case(&(struct fmt){ 48000, 16, 2 }, NULL, false);
}

/* Through the shipped pcm.vsnd and its arguments, on a card of s32_le only. */
TEST_TIMEOUT(aplay_s32_mono_44k_bit_exact, 120)
{
	play_case(&(struct fmt){ 44100, 32, 1 }, "s32_le", true);
}

/* arecord from a "file:" source: the file's first frames, bit-exact. */
TEST_TIMEOUT(arecord_s16_stereo_48k_bit_exact, 120)
{
	const struct fmt f = { 48000, 16, 2 };
	uint32_t frames = PERIOD_FRAMES * 30, len = frames * 4, src_len = len * 2, got;
	char src[160], out[160], err[4096], count[32];
	uint8_t *data = pattern(src_len, 77), *d;
	struct rig r;

	need_tool("arecord");
	rig_begin(&r, NULL);
	/* vsndbe opens its capture source at the guest's OPEN. */
	snprintf(src, sizeof(src), "%s/dom%u-0-1.wav", r.w.dir, GUEST);
	write_wav(src, &f, data, src_len);
	snprintf(out, sizeof(out), "%s/rec.wav", r.w.dir);
	snprintf(count, sizeof(count), "--samples=%u", frames);
	ASSERT_EQ(run_tool(&r, (const char *const[]){ "arecord", "-q", "-D", "x", "-f", "S16_LE",
						       "-r", "48000", "-c", "2", "-t", "wav",
						       "--period-size=1024", "--buffer-size=8192",
						       count, out, NULL },
			   err, sizeof(err)), 0);
	d = vsndbe_wav_data(out, &got);
	ASSERT_EQ(got, len);
	ASSERT_MEMEQ(d, data, len);
	free(d);
	free(data);
	rig_end(&r);
}

/*
 * Parameters the card refuses: a format outside its list fails in the
 * constraints (aplay: "Sample format non available"); a format the list
 * has but the capture source cannot give fails snd_pcm_hw_params() when
 * the backend refuses the OPEN. Neither hangs or crashes, and the stream
 * works right after.
 */
TEST_TIMEOUT(refused_parameters_fail_cleanly, 120)
{
	const struct fmt u8 = { 48000, 8, 2 }, s16 = { 48000, 16, 2 };
	uint32_t len = PERIOD_FRAMES * 8 * 2;
	uint8_t *data = pattern(len * 2, 5);
	char wav[160], src[160], out[160], err[4096];
	struct rig r;
	int status;

	need_tool("aplay");
	need_tool("arecord");
	rig_begin(&r, NULL);
	snprintf(wav, sizeof(wav), "%s/u8.wav", r.w.dir);
	write_wav(wav, &u8, data, len);
	status = run_tool(&r, (const char *const[]){ "aplay", "-q", "-D", "x", wav, NULL }, err,
			  sizeof(err));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ASSERT_NOT_NULL(strstr(err, "Sample format non available"));

	snprintf(src, sizeof(src), "%s/dom%u-0-1.wav", r.w.dir, GUEST);
	write_wav(src, &s16, data, len * 2);
	snprintf(out, sizeof(out), "%s/rec.wav", r.w.dir);
	status = run_tool(&r, (const char *const[]){ "arecord", "-q", "-D", "x", "-f", "S32_LE",
						     "-r", "48000", "-c", "2", "-s", "1024", out,
						     NULL },
			  err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ASSERT_NOT_NULL(strstr(err, "OPEN of stream 1"));
	ASSERT_NOT_NULL(strstr(err, "Unable to install hw params"));

	/* The card is still served: the same tools with what it offers. */
	snprintf(wav, sizeof(wav), "%s/s16.wav", r.w.dir);
	write_wav(wav, &s16, data, len);
	ASSERT_EQ(run_tool(&r, (const char *const[]){ "aplay", "-q", "-D", "x",
						       "--period-size=1024", "--buffer-size=4096",
						       wav, NULL },
			   err, sizeof(err)), 0);
	free(data);
	rig_end(&r);
}

/* The plugin's configuration errors: a domain without the card. */
TEST_TIMEOUT(open_without_a_card_fails, 120)
{
	char err[4096];
	struct rig r;
	int status;

	need_tool("aplay");
	rig_begin(&r, NULL);
	status = run_tool(&r, (const char *const[]){ "aplay", "-q", "-D", "wrong_domain",
						     "/dev/null", NULL },
			  err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ASSERT_NOT_NULL(strstr(err, "cannot connect to vsnd device 0"));
	rig_end(&r);
}

/* In this process: the constraints come from the backend's answer. */
TEST_TIMEOUT(constraints_follow_the_card, 120)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_uframes_t frames;
	unsigned int v;
	snd_pcm_t *pcm;
	struct rig r;

	rig_begin(&r, "s16_le,s32_le");
	setenv("ALSA_CONFIG_PATH", r.conf, 1);
	ASSERT_OK(snd_pcm_open(&pcm, "x", SND_PCM_STREAM_PLAYBACK, 0));
	ASSERT_OK(snd_pcm_hw_params_malloc(&hw));
	ASSERT_OK(snd_pcm_hw_params_any(pcm, hw));
	ASSERT_OK(snd_pcm_hw_params_test_format(pcm, hw, SND_PCM_FORMAT_S16_LE));
	ASSERT_OK(snd_pcm_hw_params_test_format(pcm, hw, SND_PCM_FORMAT_S32_LE));
	ASSERT_LT(snd_pcm_hw_params_test_format(pcm, hw, SND_PCM_FORMAT_U8), 0);
	ASSERT_OK(snd_pcm_hw_params_test_rate(pcm, hw, 44100, 0));
	ASSERT_OK(snd_pcm_hw_params_test_rate(pcm, hw, 48000, 0));
	ASSERT_LT(snd_pcm_hw_params_test_rate(pcm, hw, 32000, 0), 0);
	ASSERT_LT(snd_pcm_hw_params_test_rate(pcm, hw, 96000, 0), 0);
	ASSERT_OK(snd_pcm_hw_params_get_channels_min(hw, &v));
	ASSERT_EQ(v, 1);
	ASSERT_OK(snd_pcm_hw_params_get_channels_max(hw, &v));
	ASSERT_EQ(v, 2);
	ASSERT_OK(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S32_LE));
	ASSERT_OK(snd_pcm_hw_params_set_channels(pcm, hw, 2));
	ASSERT_OK(snd_pcm_hw_params_get_buffer_size_max(hw, &frames));
	/* The card's buffer-size, 65536 octets, in 8-octet frames. */
	ASSERT_EQ(frames, 8192);
	ASSERT_OK(snd_pcm_hw_params_set_rate(pcm, hw, 48000, 0));
	ASSERT_OK(snd_pcm_hw_params_set_buffer_size(pcm, hw, 4096));
	ASSERT_OK(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED));
	ASSERT_OK(snd_pcm_hw_params(pcm, hw));
	ASSERT_EQ(snd_pcm_state(pcm), SND_PCM_STATE_PREPARED);
	snd_pcm_hw_params_free(hw);
	ASSERT_OK(snd_pcm_close(pcm));
	snd_config_update_free_global();
	rig_end(&r);
}

/* Open pcm.x for playback, S16_LE stereo 48 kHz, a buffer of 4 periods. */
static snd_pcm_t *open_s16(const struct rig *r)
{
	snd_pcm_t *pcm;

	setenv("ALSA_CONFIG_PATH", r->conf, 1);
	ASSERT_OK(snd_pcm_open(&pcm, "x", SND_PCM_STREAM_PLAYBACK, 0));
	ASSERT_OK(snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
				     2, 48000, 0, 4 * PERIOD_FRAMES * 1000000ull / 48000));
	return pcm;
}

static void write_all(snd_pcm_t *pcm, const uint8_t *d, snd_pcm_uframes_t frames)
{
	while (frames) {
		snd_pcm_sframes_t n = snd_pcm_writei(pcm, d, frames);

		ASSERT_GT(n, 0);
		d += n * 4;
		frames -= (snd_pcm_uframes_t)n;
	}
}

/* In this process: PAUSE and RESUME mid-stream, then drain: bit-exact. */
TEST_TIMEOUT(pause_resume_drain_bit_exact, 120)
{
	uint32_t frames = PERIOD_FRAMES * 16, len = frames * 4, got;
	uint8_t *data = pattern(len, 99), *d;
	snd_pcm_t *pcm;
	char out[160];
	struct rig r;

	rig_begin(&r, NULL);
	pcm = open_s16(&r);
	write_all(pcm, data, frames / 2);
	ASSERT_EQ(snd_pcm_state(pcm), SND_PCM_STATE_RUNNING);
	ASSERT_OK(snd_pcm_pause(pcm, 1));
	ASSERT_EQ(snd_pcm_state(pcm), SND_PCM_STATE_PAUSED);
	ASSERT_OK(snd_pcm_pause(pcm, 0));
	ASSERT_EQ(snd_pcm_state(pcm), SND_PCM_STATE_RUNNING);
	write_all(pcm, data + len / 2, frames / 2);
	ASSERT_OK(snd_pcm_drain(pcm));
	ASSERT_OK(snd_pcm_close(pcm));
	snd_config_update_free_global();
	d = vsndbe_wav_data(vsndbe_world_wav(&r.w, GUEST, out, sizeof(out)), &got);
	ASSERT_EQ(got, len);
	ASSERT_MEMEQ(d, data, len);
	free(d);
	free(data);
	rig_end(&r);
}
