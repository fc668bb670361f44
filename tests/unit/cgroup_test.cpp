// Container names from cgroup paths (core/cgroup.h, container_of), as each runtime names its
// cgroups.
#include "core/cgroup.h"

#include <gtest/gtest.h>

#include <string>

namespace dtruss {
namespace {

const std::string kId = "4f1c0a2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

TEST(ContainerOf, EachRuntimesCgroupNames) {
  EXPECT_EQ(container_of("/system.slice/docker-" + kId + ".scope"), "docker:" + kId);
  EXPECT_EQ(container_of("/docker/" + kId), "docker:" + kId);  // cgroupfs driver
  EXPECT_EQ(container_of("/docker/" + kId + "/child"), "docker:" + kId);
  EXPECT_EQ(container_of("/machine.slice/libpod-" + kId + ".scope/container"), "podman:" + kId);
  EXPECT_EQ(container_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
                         "cri-containerd-" +
                         kId + ".scope"),
            "containerd:" + kId);
  EXPECT_EQ(container_of("/kubepods.slice/crio-" + kId + ".scope"), "crio:" + kId);
  EXPECT_EQ(container_of("/system.slice/nginx.service"), "unit:nginx.service");
  EXPECT_EQ(container_of("/user.slice/user-0.slice/session-3.scope"), "unit:session-3.scope");
}

TEST(ContainerOf, OtherCgroupsAreNone) {
  EXPECT_EQ(container_of("/"), "");
  EXPECT_EQ(container_of("/user.slice"), "");
  EXPECT_EQ(container_of("/docker/notanid"), "");
  EXPECT_EQ(container_of("/mydocker-" + kId + ".scope"), "unit:mydocker-" + kId + ".scope");
}

}  // namespace
}  // namespace dtruss
