#pragma once
namespace squall { inline constexpr int kJsonDepthMax = 128; }  // deepest [ / { nesting any JSON reader accepts
