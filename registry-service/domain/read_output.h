// ReadOutput: where a read method (Get, List, BatchGet) puts its answer,
// so that one read either fills a response message (in-process callers)
// or writes the response's wire bytes straight from the serialized form of
// the records the in-memory view holds (the gRPC handlers: nothing parsed,
// copied or re-serialized per call).
#ifndef REGISTRY_SERVICE_DOMAIN_READ_OUTPUT_H_
#define REGISTRY_SERVICE_DOMAIN_READ_OUTPUT_H_

#include <cstdint>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace missions::registry {

class ReadOutput {
 public:
  virtual ~ReadOutput() = default;

  // The next record of the answer: for Get the whole response, for List
  // and BatchGet the next item. `wire` (if not null) is `record`
  // serialized.
  virtual void AddRecord(const google::protobuf::Message& record, const std::string* wire) = 0;
  // The response's next_page_token (List).
  virtual void SetNextPageToken(const std::string& token) = 0;
  // The response's `revision` (List and BatchGet), which is also noted.
  virtual void SetRevision(int64_t revision) = 0;
  // Notes the revision the answer stands for, for the call's log line (Get:
  // the record's, which its etag names).
  void NoteRevision(int64_t revision) { revision_ = revision; }
  int64_t revision() const { return revision_; }

 private:
  int64_t revision_ = 0;
};

// Fills `response`: the record message itself (Get) or a response with
// one repeated field of records, `next_page_token` and `revision`.
class MessageOutput final : public ReadOutput {
 public:
  explicit MessageOutput(google::protobuf::Message* response) : response_(response) {}

  void AddRecord(const google::protobuf::Message& record, const std::string* wire) override;
  void SetNextPageToken(const std::string& token) override;
  void SetRevision(int64_t revision) override;

 private:
  google::protobuf::Message* response_;
};

// Writes the wire bytes of a response of type `response_type`, as above.
class WireOutput final : public ReadOutput {
 public:
  explicit WireOutput(const google::protobuf::Descriptor* response_type)
      : response_type_(response_type) {}

  void AddRecord(const google::protobuf::Message& record, const std::string* wire) override;
  void SetNextPageToken(const std::string& token) override;
  void SetRevision(int64_t revision) override;

  // The response's serialized bytes so far.
  std::string& bytes() { return bytes_; }

 private:
  const google::protobuf::Descriptor* response_type_;
  std::string bytes_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_READ_OUTPUT_H_
