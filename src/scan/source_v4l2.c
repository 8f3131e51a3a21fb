/* The "v4l2" frame source: a USB (UVC) camera through V4L2 mmap streaming (see source.h).
 *
 * DESIGN
 * - Format: GREY if offered (already luma), else YUYV (luma = every other byte). Cameras that
 *   offer only MJPEG are refused with BORNE_ERR_UNSUPPORTED: decoding JPEG at 30 fps on a Pi
 *   costs more than the QR decoder itself, and every UVC camera we target offers YUYV at
 *   640x480 and 1280x720 (see docs/scanning-inputs.md).
 * - Latest frame wins: 3 buffers are queued; on each call every filled buffer is dequeued, all
 *   but the newest are queued back at once, the newest is converted to our own luma buffer and
 *   queued back too. The driver never runs out of buffers and a slow decoder never sees a frame
 *   older than the moment it asked.
 * - Hot-plug: a source opens even with no camera (state ABSENT). When the device disappears
 *   (ENODEV / POLLERR) everything is released (state LOST) and the device is looked for again
 *   every reconnect_ms; with no configured device, /dev/video0..63 are scanned for the first
 *   capture device (UVC metadata nodes are skipped).
 * - Continuous autofocus (V4L2_CID_FOCUS_AUTO) is switched on where the camera has it. */
#define LOG_MODULE "v4l2"
#include "scan/source.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "scan/pixfmt.h"

#define V4L2_BUFFERS       3
#define V4L2_PATH_MAX      256
#define V4L2_SCAN_DEVICES  64
#define V4L2_DEFAULT_RETRY 1000

struct v4l2_mapping {
    void *start;
    size_t length;
};

struct v4l2_source {
    char device[V4L2_PATH_MAX]; /* configured path, empty: scan /dev/video* */
    int want_width, want_height, fps;
    uint64_t retry_ns;
    uint64_t next_retry_ns;
    enum borne_input_state state;

    /* Valid while fd >= 0. */
    int fd;
    uint32_t fourcc;
    int width, height, bytesperline;
    unsigned n_bufs;
    struct v4l2_mapping bufs[V4L2_BUFFERS];
    uint8_t *luma; /* width * height */
};

static int xioctl(int fd, unsigned long request, void *arg)
{
    int rc;
    do {
        rc = ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc;
}

static void device_close(struct v4l2_source *vs)
{
    if (vs->fd < 0) {
        return;
    }
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(vs->fd, VIDIOC_STREAMOFF, &type);
    for (unsigned i = 0; i < vs->n_bufs; i++) {
        if (vs->bufs[i].start) {
            munmap(vs->bufs[i].start, vs->bufs[i].length);
        }
        vs->bufs[i].start = NULL;
    }
    vs->n_bufs = 0;
    free(vs->luma);
    vs->luma = NULL;
    close(vs->fd);
    vs->fd = -1;
}

/* An open descriptor for a capture device that streams, or -1. */
static int open_capture(const char *path, bool quiet)
{
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (!quiet) {
            LOG_DBG("cannot open camera: %s", strerror(errno));
        }
        return -1;
    }
    struct v4l2_capability cap;
    memset(&cap, 0, sizeof(cap));
    if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0) {
        if (!quiet) {
            LOG_WARN("configured camera is not a V4L2 device");
        }
        close(fd);
        return -1;
    }
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
        if (!quiet) {
            LOG_WARN("configured camera cannot stream video capture");
        }
        close(fd);
        return -1;
    }
    return fd;
}

static borne_err choose_format(struct v4l2_source *vs)
{
    bool grey = false, yuyv = false, mjpeg = false;
    for (unsigned i = 0; i < 64; i++) {
        struct v4l2_fmtdesc desc;
        memset(&desc, 0, sizeof(desc));
        desc.index = i;
        desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(vs->fd, VIDIOC_ENUM_FMT, &desc) < 0) {
            break;
        }
        grey |= desc.pixelformat == V4L2_PIX_FMT_GREY;
        yuyv |= desc.pixelformat == V4L2_PIX_FMT_YUYV;
        mjpeg |= desc.pixelformat == V4L2_PIX_FMT_MJPEG;
    }
    if (grey) {
        vs->fourcc = V4L2_PIX_FMT_GREY;
    } else if (yuyv) {
        vs->fourcc = V4L2_PIX_FMT_YUYV;
    } else {
        LOG_ERR("camera offers %s; only YUYV and GREY are supported",
                mjpeg ? "only MJPEG" : "no usable format");
        return BORNE_ERR_UNSUPPORTED;
    }
    struct v4l2_format fmt;
    memset(&fmt, 0, sizeof(fmt));
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = (uint32_t)vs->want_width;
    fmt.fmt.pix.height = (uint32_t)vs->want_height;
    fmt.fmt.pix.pixelformat = vs->fourcc;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(vs->fd, VIDIOC_S_FMT, &fmt) < 0) {
        LOG_ERR("camera refused the format: %s", strerror(errno));
        return BORNE_ERR_DEVICE;
    }
    if (fmt.fmt.pix.pixelformat != vs->fourcc || fmt.fmt.pix.width == 0 ||
        fmt.fmt.pix.height == 0 || fmt.fmt.pix.width > 8192 || fmt.fmt.pix.height > 8192) {
        LOG_ERR("camera changed the requested format");
        return BORNE_ERR_UNSUPPORTED;
    }
    vs->width = (int)fmt.fmt.pix.width;
    vs->height = (int)fmt.fmt.pix.height;
    int bpp = vs->fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1;
    vs->bytesperline = (int)fmt.fmt.pix.bytesperline;
    if (vs->bytesperline < vs->width * bpp) {
        vs->bytesperline = vs->width * bpp;
    }
    if (vs->width != vs->want_width || vs->height != vs->want_height) {
        LOG_WARN("camera gives %dx%d instead of %dx%d", vs->width, vs->height, vs->want_width,
                 vs->want_height);
    }

    struct v4l2_streamparm parm;
    memset(&parm, 0, sizeof(parm));
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = (uint32_t)vs->fps;
    if (xioctl(vs->fd, VIDIOC_S_PARM, &parm) < 0) {
        LOG_DBG("camera does not take a frame rate");
    }
    struct v4l2_control ctrl = {.id = V4L2_CID_FOCUS_AUTO, .value = 1};
    if (xioctl(vs->fd, VIDIOC_S_CTRL, &ctrl) < 0) {
        LOG_DBG("camera has no continuous autofocus");
    }
    return BORNE_OK;
}

static borne_err start_streaming(struct v4l2_source *vs)
{
    struct v4l2_requestbuffers req;
    memset(&req, 0, sizeof(req));
    req.count = V4L2_BUFFERS;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (xioctl(vs->fd, VIDIOC_REQBUFS, &req) < 0 || req.count < 2) {
        LOG_ERR("camera cannot give 2 or more mmap buffers");
        return BORNE_ERR_DEVICE;
    }
    vs->n_bufs = req.count < V4L2_BUFFERS ? req.count : V4L2_BUFFERS;
    for (unsigned i = 0; i < vs->n_bufs; i++) {
        struct v4l2_buffer buf;
        memset(&buf, 0, sizeof(buf));
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        buf.index = i;
        if (xioctl(vs->fd, VIDIOC_QUERYBUF, &buf) < 0) {
            return BORNE_ERR_DEVICE;
        }
        void *p = mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, vs->fd, buf.m.offset);
        if (p == MAP_FAILED) {
            LOG_ERR("cannot map camera buffer: %s", strerror(errno));
            return BORNE_ERR_DEVICE;
        }
        vs->bufs[i].start = p;
        vs->bufs[i].length = buf.length;
        if (xioctl(vs->fd, VIDIOC_QBUF, &buf) < 0) {
            return BORNE_ERR_DEVICE;
        }
    }
    vs->luma = malloc((size_t)vs->width * (size_t)vs->height);
    if (!vs->luma) {
        return BORNE_ERR_NOMEM;
    }
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(vs->fd, VIDIOC_STREAMON, &type) < 0) {
        LOG_ERR("camera will not start streaming: %s", strerror(errno));
        return BORNE_ERR_DEVICE;
    }
    return BORNE_OK;
}

/* Find and start the camera. */
static borne_err device_open(struct v4l2_source *vs)
{
    if (vs->device[0]) {
        vs->fd = open_capture(vs->device, false);
    } else {
        for (int i = 0; i < V4L2_SCAN_DEVICES && vs->fd < 0; i++) {
            char path[32];
            snprintf(path, sizeof(path), "/dev/video%d", i);
            vs->fd = open_capture(path, true);
        }
    }
    if (vs->fd < 0) {
        return BORNE_ERR_DEVICE;
    }
    borne_err err = choose_format(vs);
    if (!err) {
        err = start_streaming(vs);
    }
    if (err) {
        device_close(vs);
        return err;
    }
    LOG_INFO("camera running: %dx%d %s", vs->width, vs->height,
             vs->fourcc == V4L2_PIX_FMT_GREY ? "GREY" : "YUYV");
    return BORNE_OK;
}

static void v4l2_close(void *priv)
{
    struct v4l2_source *vs = priv;
    if (!vs) {
        return;
    }
    device_close(vs);
    free(vs);
}

static borne_err v4l2_open(const struct borne_source_config *cfg, void **priv)
{
    int w = cfg->width ? cfg->width : 640;
    int h = cfg->height ? cfg->height : 480;
    if (!((w == 640 && h == 480) || (w == 1280 && h == 720)) || cfg->fps < 0 || cfg->fps > 120 ||
        cfg->reconnect_ms < 0 || (cfg->device && strlen(cfg->device) >= V4L2_PATH_MAX)) {
        return BORNE_ERR_INVALID;
    }
    struct v4l2_source *vs = calloc(1, sizeof(*vs));
    if (!vs) {
        return BORNE_ERR_NOMEM;
    }
    vs->fd = -1;
    if (cfg->device) {
        memcpy(vs->device, cfg->device, strlen(cfg->device) + 1);
    }
    vs->want_width = w;
    vs->want_height = h;
    vs->fps = cfg->fps ? cfg->fps : 30;
    vs->retry_ns =
        (uint64_t)(cfg->reconnect_ms ? cfg->reconnect_ms : V4L2_DEFAULT_RETRY) * 1000000u;
    vs->state = BORNE_INPUT_ABSENT;
    if (device_open(vs) == BORNE_OK) {
        vs->state = BORNE_INPUT_RUNNING;
    } else {
        LOG_INFO("no camera yet; looking again every %llu ms",
                 (unsigned long long)(vs->retry_ns / 1000000u));
        vs->next_retry_ns = borne_scan_mono_ns() + vs->retry_ns;
    }
    *priv = vs;
    return BORNE_OK;
}

static void lose_device(struct v4l2_source *vs, const char *why)
{
    LOG_WARN("camera lost (%s); reconnecting", why);
    device_close(vs);
    vs->state = BORNE_INPUT_LOST;
    vs->next_retry_ns = borne_scan_mono_ns() + vs->retry_ns;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* No device: try again when due, else wait (at most timeout_ms) and report it. */
static borne_err retry_device(struct v4l2_source *vs, int timeout_ms)
{
    uint64_t now = borne_scan_mono_ns();
    if (now >= vs->next_retry_ns) {
        if (device_open(vs) == BORNE_OK) {
            vs->state = BORNE_INPUT_RUNNING;
            return BORNE_ERR_TIMEOUT; /* running again; frames come on the next call */
        }
        vs->next_retry_ns = now + vs->retry_ns;
    }
    uint64_t wait_ms = (vs->next_retry_ns - now + 999999u) / 1000000u;
    if (wait_ms > (uint64_t)(timeout_ms > 0 ? timeout_ms : 0)) {
        wait_ms = (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    }
    sleep_ms(wait_ms);
    return BORNE_ERR_DEVICE;
}

static borne_err v4l2_next(void *priv, int timeout_ms, borne_frame *out)
{
    struct v4l2_source *vs = priv;
    if (vs->fd < 0) {
        return retry_device(vs, timeout_ms);
    }
    struct pollfd pfd = {.fd = vs->fd, .events = POLLIN};
    int rc = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 0);
    if (rc < 0) {
        if (errno == EINTR) {
            return BORNE_ERR_TIMEOUT;
        }
        lose_device(vs, "poll");
        return BORNE_ERR_DEVICE;
    }
    if (rc == 0) {
        return BORNE_ERR_TIMEOUT;
    }
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
        lose_device(vs, "device error");
        return BORNE_ERR_DEVICE;
    }
    /* Drain: keep only the newest filled buffer. */
    struct v4l2_buffer newest;
    bool have = false;
    for (;;) {
        struct v4l2_buffer buf;
        memset(&buf, 0, sizeof(buf));
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        if (xioctl(vs->fd, VIDIOC_DQBUF, &buf) < 0) {
            if (errno == EAGAIN) {
                break;
            }
            lose_device(vs, strerror(errno));
            return BORNE_ERR_DEVICE;
        }
        if (buf.index >= vs->n_bufs || (buf.flags & V4L2_BUF_FLAG_ERROR)) {
            if (buf.index < vs->n_bufs) {
                xioctl(vs->fd, VIDIOC_QBUF, &buf);
            }
            continue;
        }
        if (have) {
            xioctl(vs->fd, VIDIOC_QBUF, &newest);
        }
        newest = buf;
        have = true;
    }
    if (!have) {
        return BORNE_ERR_TIMEOUT;
    }
    const uint8_t *src = vs->bufs[newest.index].start;
    size_t len = newest.bytesused ? newest.bytesused : vs->bufs[newest.index].length;
    if (len > vs->bufs[newest.index].length) {
        len = vs->bufs[newest.index].length;
    }
    borne_err err;
    if (vs->fourcc == V4L2_PIX_FMT_YUYV) {
        err = borne_pixfmt_yuyv_to_luma(src, len, vs->width, vs->height, vs->bytesperline, vs->luma,
                                        vs->width);
    } else {
        err = borne_pixfmt_grey_copy(src, len, vs->width, vs->height, vs->bytesperline, vs->luma,
                                     vs->width);
    }
    uint64_t mono = borne_scan_mono_ns();
    if ((newest.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
        mono = (uint64_t)newest.timestamp.tv_sec * 1000000000u +
               (uint64_t)newest.timestamp.tv_usec * 1000u;
    }
    if (xioctl(vs->fd, VIDIOC_QBUF, &newest) < 0) {
        lose_device(vs, strerror(errno));
        return BORNE_ERR_DEVICE;
    }
    if (err) {
        LOG_DBG("short camera frame skipped");
        return BORNE_ERR_TIMEOUT;
    }
    *out = (borne_frame){.luma = vs->luma,
                         .width = vs->width,
                         .height = vs->height,
                         .stride = vs->width,
                         .mono_ns = mono};
    return BORNE_OK;
}

static enum borne_input_state v4l2_state(void *priv)
{
    struct v4l2_source *vs = priv;
    return vs->state;
}

const struct borne_source_driver borne_source_v4l2 = {
    .name = "v4l2",
    .kind = BORNE_INPUT_CAMERA,
    .open = v4l2_open,
    .next_frame = v4l2_next,
    .state = v4l2_state,
    .close = v4l2_close,
};
