/* Feedback tones, generated (no sound files): one distinct pattern per look class.
 *
 *   accepted   two rising notes (E5 then A5)
 *   info       one short mid note
 *   attention  three quick notes going down
 *   refused    two low buzzes
 *   staff      one soft high note
 *
 * No audio device is not an error: the kiosk then stays silent and says so in its log once.
 * Uses SDL's audio queue (SDL_QueueAudio), so nothing blocks the caller. */
#ifndef BORNE_UI_SOUND_H
#define BORNE_UI_SOUND_H

#include <stdbool.h>

#include "ui/look.h"

struct borne_sound;

/* Opens the default output; *out is never NULL (a silent sound when there is no device). */
void borne_sound_new(struct borne_sound **out, bool enabled);
void borne_sound_free(struct borne_sound *s);
void borne_sound_play(struct borne_sound *s, borne_look_class cls);
bool borne_sound_available(const struct borne_sound *s);

#endif
