/* The demo's camera: a frame source that films a grey room and, when the demo's director asks,
 * a participant holding up a code (drawn with borne_demo_render), at 30 frames per second.
 *
 * The director (UI thread) and the camera thread share one borne_demo_feed; its mutex guards
 * the code being shown. Configure with borne_source_config.user = the feed. */
#ifndef BORNE_KIOSK_DEMO_SOURCE_H
#define BORNE_KIOSK_DEMO_SOURCE_H

#include <stddef.h>

#include "core/error.h"
#include "scan/source.h"

#define BORNE_DEMO_FRAME_W 640
#define BORNE_DEMO_FRAME_H 480

struct borne_demo_feed;

extern const struct borne_source_driver borne_demo_source;

borne_err borne_demo_feed_new(struct borne_demo_feed **out);
void borne_demo_feed_free(struct borne_demo_feed *feed);
/* Shows a code (copied) from the next frame on, or nothing (NULL). */
void borne_demo_feed_show(struct borne_demo_feed *feed, const char *code, size_t len);

#endif
