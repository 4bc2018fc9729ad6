{
  "targets": [
    {
      "target_name": "mslk_dnnl",
      "sources": ["mslk_dnnl.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
