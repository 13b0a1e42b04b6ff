// sd_notify(3) for Node.js: sends one datagram to the service manager's
// notification socket. Node has no unix datagram sockets, hence this addon.
//
// notify(socketPath: string, message: string): number
//   Returns 0 on success or the errno of the failed call. A socket path
//   starting with "@" names an abstract socket, as in $NOTIFY_SOCKET.
//
// The socket is non-blocking: if the manager's queue is full the call fails
// with EAGAIN instead of stalling the event loop.
#include <errno.h>
#include <node_api.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// Reads a string argument into a malloc'd, NUL-terminated buffer.
// Returns NULL (with a pending JS exception) when it is not a string.
static char *get_string(napi_env env, napi_value value, const char *type_error, size_t *length) {
  if (napi_get_value_string_utf8(env, value, NULL, 0, length) != napi_ok) {
    napi_throw_type_error(env, NULL, type_error);
    return NULL;
  }
  char *buffer = malloc(*length + 1);
  if (buffer == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, value, buffer, *length + 1, length);
  return buffer;
}

static int send_datagram(const char *path, size_t path_length, const char *message, size_t message_length) {
  struct sockaddr_un address;
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path_length == 0 || path_length >= sizeof address.sun_path) return ENAMETOOLONG;
  memcpy(address.sun_path, path, path_length);
  // Abstract names have no terminating NUL and count exactly their length.
  if (path[0] == '@') address.sun_path[0] = '\0';
  socklen_t address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length);
  if (path[0] != '@') address_length += 1;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return errno;
  ssize_t sent = sendto(fd, message, message_length, MSG_NOSIGNAL, (struct sockaddr *)&address, address_length);
  int error = sent < 0 ? errno : 0;
  close(fd);
  return error;
}

static napi_value notify(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "notify(socketPath, message) takes two strings");
    return NULL;
  }
  size_t path_length = 0;
  size_t message_length = 0;
  char *path = get_string(env, argv[0], "socketPath must be a string", &path_length);
  if (path == NULL) return NULL;
  char *message = get_string(env, argv[1], "message must be a string", &message_length);
  if (message == NULL) {
    free(path);
    return NULL;
  }
  int error = send_datagram(path, path_length, message, message_length);
  free(path);
  free(message);
  napi_value result;
  napi_create_int32(env, error, &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "notify", NAPI_AUTO_LENGTH, notify, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "notify", fn) != napi_ok) return NULL;
  return exports;
}
