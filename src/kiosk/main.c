/* borne — the fullscreen check-in kiosk.
 *
 *   borne [--config FILE] [--db FILE] [--windowed] [--size WxH] [--silent]
 *   borne --demo [--windowed]                      the embedded demo, simulated participants
 *   borne --demo --screenshot-dir DIR [--size WxH] walk through every screen, save PNGs, exit
 *   borne --hash-pin                               read a PIN on stdin, print its argon2id hash
 *
 * Under systemd (Type=notify, WatchdogSec=) it reports READY after the first frame and pings
 * the watchdog from the main loop, so a frozen screen gets the kiosk restarted. */
#define LOG_MODULE "kiosk"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "kiosk/kiosk.h"
#include "ui/screens.h"
#include "ui/pin.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: borne [--config FILE] [--db FILE] [--windowed] [--size WxH] [--silent]\n"
                "       borne --demo [--windowed] [--screenshot-dir DIR] [--size WxH]\n"
                "       borne --hash-pin < pin.txt\n"
                "\n"
                "keys: F2 staff mode (or hold the screen 2 s), Esc back, F11 fullscreen,\n"
                "      Ctrl+Q quit (demo and windowed only)\n");
}

static int hash_pin(void)
{
    char pin[64];
    if (!fgets(pin, sizeof(pin), stdin)) {
        fprintf(stderr, "borne: no PIN on stdin\n");
        return 2;
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    size_t n = strlen(pin);
    if (n < 4 || n > BORNE_PIN_MAX_DIGITS || strspn(pin, "0123456789") != n) {
        fprintf(stderr, "borne: a PIN is 4 to %d digits\n", BORNE_PIN_MAX_DIGITS);
        return 2;
    }
    char hash[128];
    if (borne_pin_hash(pin, false, hash, sizeof(hash)) != BORNE_OK) {
        return 1;
    }
    printf("%s\n", hash);
    return 0;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main(int argc, char **argv)
{
    uint64_t start_us = now_us();
    struct borne_kiosk_options opts = {0};
    const char *shots = NULL;
    bool first_frame_exit = false;
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"db", required_argument, NULL, 'd'},
        {"demo", no_argument, NULL, 'D'},
        {"windowed", no_argument, NULL, 'w'},
        {"size", required_argument, NULL, 's'},
        {"silent", no_argument, NULL, 'q'},
        {"screenshot-dir", required_argument, NULL, 'S'},
        {"hash-pin", no_argument, NULL, 'H'},
        {"exit-after-first-frame", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "c:d:Dws:qS:HFhV", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            opts.config_path = optarg;
            break;
        case 'd':
            opts.db_path = optarg;
            break;
        case 'D':
            opts.demo = true;
            break;
        case 'w':
            opts.windowed = true;
            break;
        case 's':
            if (sscanf(optarg, "%dx%d", &opts.width, &opts.height) != 2 ||
                opts.width < BORNE_CONFIG_MIN_WIDTH || opts.height < BORNE_CONFIG_MIN_HEIGHT ||
                opts.width > 7680 || opts.height > 4320) {
                fprintf(stderr,
                        "borne: --size WxH, from %dx%d to 7680x4320, e.g. 800x480 (got \"%s\")\n",
                        BORNE_CONFIG_MIN_WIDTH, BORNE_CONFIG_MIN_HEIGHT, optarg);
                return 2;
            }
            break;
        case 'q':
            opts.silent = true;
            break;
        case 'S':
            shots = optarg;
            break;
        case 'H':
            return hash_pin();
        case 'F':
            first_frame_exit = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("borne %s\n", BORNE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (shots && !opts.demo) {
        fprintf(stderr, "borne: --screenshot-dir needs --demo\n");
        return 2;
    }
    if (shots) {
        opts.windowed = true;
        opts.no_inputs = true;
        opts.silent = true;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct borne_kiosk *k = NULL;
    borne_err err = borne_kiosk_new(&opts, &k);
    if (err == BORNE_ERR_EXISTS && opts.demo) {
        fprintf(stderr,
                "borne: the demo needs a new or empty store; %s already holds an event "
                "(leave out --db for a throw-away store)\n",
                opts.db_path);
        borne_kiosk_free(k);
        return 2;
    }
    if (err) {
        const char *why = borne_kiosk_failure(k);
        fprintf(stderr, "borne: cannot start: %s\n", why[0] ? why : borne_strerror(err));
        borne_kiosk_free(k);
        return 1;
    }
    if (shots) {
        err = borne_kiosk_tour(k, shots);
        borne_kiosk_free(k);
        if (err) {
            fprintf(stderr, "borne: scripted run failed: %s\n", borne_strerror(err));
            return 1;
        }
        return 0;
    }
    uint64_t watchdog_us = 0;
    if (sd_watchdog_enabled(0, &watchdog_us) <= 0) {
        watchdog_us = 0;
    }
    uint64_t last_ping = 0;
    bool ready = false;
    while (!stop_requested) {
        int wait = 250;
        if (watchdog_us && watchdog_us / 2000 < (uint64_t)wait) {
            wait = (int)(watchdog_us / 2000);
        }
        if (!borne_kiosk_step(k, wait)) {
            break;
        }
        if (!ready && borne_kiosk_frames(k) > 0) {
            ready = true;
            sd_notify(0, "READY=1\nSTATUS=Kiosk running");
            if (first_frame_exit) {
                printf("first-frame-ms %.1f\nfirst-frame-screen %s\n",
                       (double)(now_us() - start_us) / 1000.0,
                       borne_screen_name(borne_kiosk_view(k)->screen));
                fflush(stdout);
                break;
            }
        }
        /* The watchdog is fed only by a loop that still turns. */
        uint64_t now = now_us();
        if (watchdog_us && now - last_ping >= watchdog_us / 2) {
            sd_notify(0, "WATCHDOG=1");
            last_ping = now;
        }
    }
    sd_notify(0, "STOPPING=1");
    borne_kiosk_free(k);
    return 0;
}
