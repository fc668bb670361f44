// The program of the layers check (tests/CMakeLists.txt, layers_link_alone): linked with the whole
// of one library and the libraries it declares, so that a library that uses a symbol of a layer it
// does not declare fails to link.
int main() {
  return 0;
}
