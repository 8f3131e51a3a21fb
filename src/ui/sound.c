/* Feedback tones with SDL's audio queue; see sound.h. */
#define LOG_MODULE "ui"

#include "ui/sound.h"

#include <SDL.h>
#include <math.h>
#include <stdlib.h>

#include "core/log.h"

#define RATE        22050
#define MAX_SAMPLES (RATE * 2)

struct borne_sound {
    SDL_AudioDeviceID dev; /* 0: silent */
    int16_t *pcm[BORNE_LOOK__COUNT];
    int len[BORNE_LOOK__COUNT]; /* samples */
};

struct note {
    double hz; /* 0: silence */
    int ms;
    bool buzz; /* square-ish wave: harsher, for refusals */
};

static int render(int16_t *out, const struct note *notes, int n)
{
    int pos = 0;
    for (int i = 0; i < n; i++) {
        int count = RATE * notes[i].ms / 1000;
        for (int k = 0; k < count && pos < MAX_SAMPLES; k++, pos++) {
            double t = (double)k / RATE;
            double v = 0.0;
            if (notes[i].hz > 0.0) {
                v = sin(2.0 * M_PI * notes[i].hz * t);
                if (notes[i].buzz) {
                    v = v > 0 ? 0.6 : -0.6;
                }
                /* 8 ms attack and release: no clicks. */
                double env = 1.0;
                double a = (double)k / (RATE * 0.008);
                double r = (double)(count - k) / (RATE * 0.008);
                env = a < env ? a : env;
                env = r < env ? r : env;
                v *= env * 0.45;
            }
            out[pos] = (int16_t)(v * 32767.0);
        }
    }
    return pos;
}

void borne_sound_new(struct borne_sound **out, bool enabled)
{
    struct borne_sound *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    *out = s;
    if (!enabled) {
        return;
    }
    if (!SDL_WasInit(SDL_INIT_AUDIO) && SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        LOG_WARN("no audio: %s (the kiosk stays silent)", SDL_GetError());
        return;
    }
    SDL_AudioSpec want = {.freq = RATE, .format = AUDIO_S16SYS, .channels = 1, .samples = 1024};
    SDL_AudioSpec have;
    s->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!s->dev) {
        LOG_WARN("no audio device: %s (the kiosk stays silent)", SDL_GetError());
        return;
    }
    static const struct note accepted[] = {{659.3, 110, false}, {880.0, 200, false}};
    static const struct note info[] = {{740.0, 160, false}};
    static const struct note attention[] = {{880.0, 110, false},
                                            {0, 40, false},
                                            {740.0, 110, false},
                                            {0, 40, false},
                                            {587.3, 160, false}};
    static const struct note refused[] = {{220.0, 220, true}, {0, 90, false}, {220.0, 320, true}};
    static const struct note staff[] = {{1046.5, 120, false}};
    const struct note *pat[BORNE_LOOK__COUNT] = {accepted, info, attention, refused, staff};
    int npat[BORNE_LOOK__COUNT] = {2, 1, 5, 3, 1};
    for (int i = 0; i < BORNE_LOOK__COUNT; i++) {
        s->pcm[i] = calloc(MAX_SAMPLES, sizeof(int16_t));
        if (!s->pcm[i]) {
            abort();
        }
        s->len[i] = render(s->pcm[i], pat[i], npat[i]);
    }
    SDL_PauseAudioDevice(s->dev, 0);
}

void borne_sound_free(struct borne_sound *s)
{
    if (!s) {
        return;
    }
    if (s->dev) {
        SDL_CloseAudioDevice(s->dev);
    }
    for (int i = 0; i < BORNE_LOOK__COUNT; i++) {
        free(s->pcm[i]);
    }
    free(s);
}

void borne_sound_play(struct borne_sound *s, borne_look_class cls)
{
    if (!s || !s->dev || (int)cls < 0 || cls >= BORNE_LOOK__COUNT) {
        return;
    }
    /* A new result cuts the previous sound short: the sound always matches the screen. */
    SDL_ClearQueuedAudio(s->dev);
    if (SDL_QueueAudio(s->dev, s->pcm[cls], (Uint32)s->len[cls] * sizeof(int16_t)) != 0) {
        LOG_WARN("audio: %s", SDL_GetError());
    }
}

bool borne_sound_available(const struct borne_sound *s)
{
    return s && s->dev;
}
