// stackproof-tfeval reads a Terraform/OpenTofu root module with the real HCL parser
// (github.com/hashicorp/hcl/v2) and evaluates everything that is known without a provider:
// variables (defaults, -var-file, -vars), locals, local module calls, count/for_each expansion,
// dynamic blocks, resource and data source arguments and the outputs. It prints one JSON document
// on stdout.
//
// What only a provider could know (an id, an ARN, an endpoint) is written as a reference
// placeholder, «ref:ADDRESS#PATH» (for example «ref:module.vpc.aws_vpc.this#id»), wherever it
// flows: into another resource's argument, a string interpolation or an output. The caller that
// creates the resources (the sandbox's AWS seed) substitutes the real values. The aws provider's
// aws_iam_policy_document data source is rendered here (its json attribute), since it is pure.
//
// Usage:
//
//	stackproof-tfeval -root DIR [-var-file FILE]... [-vars JSON] [-module-args JSON]
//
// -vars sets root variables ({"vpc_id": "vpc-123"}); -module-args overrides arguments of the root's
// module calls ({"postgres": {"multi_az": false}}), the way an override file would.
package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

const version = "0.1.0"

// unknownMarker stands for a value that depends on something not known at all (for example a
// for_each over an unknown collection); the seed refuses to use it.
const unknownMarker = "«unknown»"

func placeholder(address, path string) string {
	return fmt.Sprintf("«ref:%s#%s»", address, path)
}

type evaluator struct {
	parser   *hclparse.Parser
	funcs    map[string]function.Function
	rootDir  string
	warnings []string
	out      []instanceOut
}

type instanceOut struct {
	Address   string      `json:"address"`
	Module    string      `json:"module"`
	Mode      string      `json:"mode"`
	Type      string      `json:"type"`
	Name      string      `json:"name"`
	Index     interface{} `json:"index"`
	Values    interface{} `json:"values"`
	DependsOn []string    `json:"dependsOn"`
	File      string      `json:"file"`
	Line      int         `json:"line"`
}

type variableOut struct {
	Description string      `json:"description"`
	Value       interface{} `json:"value"`
	Source      string      `json:"source"`
}

type outputOut struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type"`
	Value     interface{}     `json:"value"`
}

type document struct {
	Root      string                 `json:"root"`
	Providers map[string]interface{} `json:"providers"`
	Variables map[string]variableOut `json:"variables"`
	Resources []instanceOut          `json:"resources"`
	Outputs   map[string]outputOut   `json:"outputs"`
	Warnings  []string               `json:"warnings"`
}

type module struct {
	ev       *evaluator
	path     string // "" for the root, "module.vpc" for a child
	dir      string
	vars     map[string]cty.Value
	varDecls map[string]*hclsyntax.Block
	locals   map[string]*hclsyntax.Attribute
	outputs  map[string]*hclsyntax.Block
	calls    map[string]*hclsyntax.Block
	// "aws_vpc.this" and "data.aws_iam_policy_document.kms" → block
	blocks      map[string]*hclsyntax.Block
	providers   []*hclsyntax.Block
	localVals   map[string]cty.Value
	blockVals   map[string]cty.Value
	inProgress  map[string]bool
	children    map[string]*module
	childVals   map[string]cty.Value
	ghostPaths  map[string][][]hcl.Traverser
	looseAttrs  map[string]bool
	callArgsOvr map[string]cty.Value
}

func (ev *evaluator) warn(format string, args ...interface{}) {
	ev.warnings = append(ev.warnings, fmt.Sprintf(format, args...))
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "stackproof-tfeval: "+format+"\n", args...)
	os.Exit(2)
}

func (ev *evaluator) loadModule(path, dir string) *module {
	m := &module{
		ev: ev, path: path, dir: dir,
		vars: map[string]cty.Value{}, varDecls: map[string]*hclsyntax.Block{},
		locals: map[string]*hclsyntax.Attribute{}, outputs: map[string]*hclsyntax.Block{},
		calls: map[string]*hclsyntax.Block{}, blocks: map[string]*hclsyntax.Block{},
		localVals: map[string]cty.Value{}, blockVals: map[string]cty.Value{},
		inProgress: map[string]bool{}, children: map[string]*module{}, childVals: map[string]cty.Value{},
		ghostPaths: map[string][][]hcl.Traverser{}, looseAttrs: map[string]bool{},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		fail("%s holds no .tf files", dir)
	}
	sort.Strings(files)
	for _, file := range files {
		// Override files (override.tf, *_override.tf) change a configuration only when merged
		// as Terraform merges them; none exists in the reference stack, so they are refused
		// rather than read wrongly.
		base := filepath.Base(file)
		if base == "override.tf" || strings.HasSuffix(base, "_override.tf") {
			fail("%s: override files are not supported", file)
		}
		f, diags := ev.parser.ParseHCLFile(file)
		if diags.HasErrors() {
			fail("%s", diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		for _, block := range body.Blocks {
			switch block.Type {
			case "variable":
				m.varDecls[block.Labels[0]] = block
			case "locals":
				for name, attr := range block.Body.Attributes {
					m.locals[name] = attr
				}
			case "output":
				m.outputs[block.Labels[0]] = block
			case "module":
				m.calls[block.Labels[0]] = block
			case "resource":
				m.blocks[block.Labels[0]+"."+block.Labels[1]] = block
			case "data":
				m.blocks["data."+block.Labels[0]+"."+block.Labels[1]] = block
			case "provider":
				m.providers = append(m.providers, block)
			}
		}
		m.scanGhosts(body)
	}
	return m
}

// rootKeywords are the traversal roots that are not resource types.
var rootKeywords = map[string]bool{
	"var": true, "local": true, "module": true, "data": true, "each": true, "count": true,
	"path": true, "terraform": true, "self": true,
}

// scanGhosts records every attribute path read from a resource or data source anywhere in the
// module, so an instance offers a placeholder for an attribute only the provider knows (its id,
// arn, vpc_config[0].cluster_security_group_id...). Attributes read through a for expression's
// variable (`for az, s in aws_subnet.public : s.id`) cannot be traced to their resource, so their
// names are offered on every instance of the module ("loose" attributes).
func (m *module) scanGhosts(body *hclsyntax.Body) {
	hclsyntax.VisitAll(body, func(node hclsyntax.Node) hcl.Diagnostics {
		switch expr := node.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			key, rest := m.resourceKeyOf(expr.Traversal)
			if key != "" {
				m.ghostPaths[key] = append(m.ghostPaths[key], rest)
			} else if len(expr.Traversal) >= 2 && !rootKeywords[expr.Traversal.RootName()] {
				if attr, ok := expr.Traversal[1].(hcl.TraverseAttr); ok {
					m.looseAttrs[attr.Name] = true
				}
			}
		case *hclsyntax.RelativeTraversalExpr:
			if index, ok := expr.Source.(*hclsyntax.IndexExpr); ok {
				if scope, ok := index.Collection.(*hclsyntax.ScopeTraversalExpr); ok {
					key, rest := m.resourceKeyOf(scope.Traversal)
					if key != "" && len(rest) == 0 {
						path := append([]hcl.Traverser{hcl.TraverseSplat{}}, expr.Traversal...)
						m.ghostPaths[key] = append(m.ghostPaths[key], path)
					}
				}
			}
		}
		return nil
	})
}

// resourceKeyOf splits aws_vpc.this.id into ("aws_vpc.this", [.id]) and
// data.aws_region.current.region into ("data.aws_region.current", [.region]).
func (m *module) resourceKeyOf(tr hcl.Traversal) (string, []hcl.Traverser) {
	root := tr.RootName()
	if root == "data" {
		if len(tr) < 3 {
			return "", nil
		}
		t, ok1 := tr[1].(hcl.TraverseAttr)
		n, ok2 := tr[2].(hcl.TraverseAttr)
		if !ok1 || !ok2 {
			return "", nil
		}
		return "data." + t.Name + "." + n.Name, tr[3:]
	}
	if rootKeywords[root] || len(tr) < 2 {
		return "", nil
	}
	n, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return "", nil
	}
	return root + "." + n.Name, tr[2:]
}

func (m *module) qualified(key string) string {
	if m.path == "" {
		return key
	}
	return m.path + "." + key
}

func attrName(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

func objectOrEmpty(vals map[string]cty.Value) cty.Value {
	if len(vals) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(vals)
}

// eval evaluates an expression of this module; extra holds each/count and iterator values.
func (m *module) eval(expr hcl.Expression, extra map[string]cty.Value) cty.Value {
	vars := map[string]cty.Value{}
	resources := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for k, v := range extra {
		vars[k] = v
	}
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		if _, bound := extra[root]; bound {
			continue
		}
		switch root {
		case "var":
			vars["var"] = objectOrEmpty(m.vars)
		case "local":
			if name := attrName(tr, 1); name != "" {
				m.local(name)
			}
			vars["local"] = objectOrEmpty(m.localVals)
		case "module":
			if name := attrName(tr, 1); name != "" {
				m.child(name)
			}
			vars["module"] = objectOrEmpty(m.childVals)
		case "path":
			vars["path"] = cty.ObjectVal(map[string]cty.Value{
				"module": cty.StringVal(m.dir), "root": cty.StringVal(m.ev.rootDir), "cwd": cty.StringVal("."),
			})
		case "terraform":
			vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
		case "self", "each", "count":
			// each/count outside a repeated block, or self in a provisioner: nothing to offer.
		case "data":
			t, n := attrName(tr, 1), attrName(tr, 2)
			if t == "" || n == "" {
				continue
			}
			if data[t] == nil {
				data[t] = map[string]cty.Value{}
			}
			data[t][n] = m.block("data." + t + "." + n)
		default:
			n := attrName(tr, 1)
			if n == "" {
				continue
			}
			if resources[root] == nil {
				resources[root] = map[string]cty.Value{}
			}
			resources[root][n] = m.block(root + "." + n)
		}
	}
	for t, byName := range resources {
		vars[t] = cty.ObjectVal(byName)
	}
	if len(data) > 0 {
		byType := map[string]cty.Value{}
		for t, byName := range data {
			byType[t] = cty.ObjectVal(byName)
		}
		vars["data"] = cty.ObjectVal(byType)
	}
	value, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: m.ev.funcs})
	if diags.HasErrors() {
		rng := expr.Range()
		m.ev.warn("%s:%d: %s", rng.Filename, rng.Start.Line, strings.ReplaceAll(diags.Error(), "\n", " "))
		return cty.DynamicVal
	}
	return value
}

func (m *module) local(name string) cty.Value {
	if v, ok := m.localVals[name]; ok {
		return v
	}
	attr, ok := m.locals[name]
	if !ok {
		return cty.DynamicVal
	}
	key := "local." + name
	if m.inProgress[key] {
		return cty.DynamicVal
	}
	m.inProgress[key] = true
	v := m.eval(attr.Expr, nil)
	delete(m.inProgress, key)
	m.localVals[name] = v
	return v
}

// child evaluates a local module call: its arguments become the child's variables, its outputs
// the call's value.
func (m *module) child(name string) cty.Value {
	if v, ok := m.childVals[name]; ok {
		return v
	}
	call, ok := m.calls[name]
	if !ok {
		return cty.DynamicVal
	}
	if _, ok := call.Body.Attributes["count"]; ok {
		fail("module %q: count on a module call is not supported", name)
	}
	if _, ok := call.Body.Attributes["for_each"]; ok {
		fail("module %q: for_each on a module call is not supported", name)
	}
	sourceAttr, ok := call.Body.Attributes["source"]
	if !ok {
		fail("module %q has no source", name)
	}
	source := m.eval(sourceAttr.Expr, nil)
	if !source.IsKnown() || source.Type() != cty.String || !strings.HasPrefix(source.AsString(), ".") {
		fail("module %q: only local module sources (./ or ../) are supported", name)
	}
	childPath := "module." + name
	if m.path != "" {
		childPath = m.path + "." + childPath
	}
	c := m.ev.loadModule(childPath, filepath.Join(m.dir, source.AsString()))
	args := map[string]cty.Value{}
	for argName, attr := range call.Body.Attributes {
		switch argName {
		case "source", "version", "providers", "depends_on", "count", "for_each":
			continue
		}
		args[argName] = m.eval(attr.Expr, nil)
	}
	if m.path == "" {
		if ovr, ok := m.callArgsOvr[name]; ok && ovr.Type().IsObjectType() {
			for k, v := range ovr.AsValueMap() {
				args[k] = v
			}
		}
	}
	c.setVariables(args)
	m.children[name] = c
	outputs := map[string]cty.Value{}
	for outName, block := range c.outputs {
		if attr, ok := block.Body.Attributes["value"]; ok {
			outputs[outName] = c.eval(attr.Expr, nil)
		}
	}
	v := objectOrEmpty(outputs)
	m.childVals[name] = v
	return v
}

// setVariables gives every declared variable its value: the given one, else its default,
// converted to its declared type.
func (m *module) setVariables(given map[string]cty.Value) {
	for name := range given {
		if _, ok := m.varDecls[name]; !ok {
			m.ev.warn("%s: no variable %q is declared (value ignored)", m.dir, name)
		}
	}
	for name, block := range m.varDecls {
		value, ok := given[name]
		if !ok {
			if def, has := block.Body.Attributes["default"]; has {
				value = m.eval(def.Expr, nil)
			} else {
				m.ev.warn("%s: variable %q has no value and no default", m.dir, name)
				value = cty.DynamicVal
			}
		}
		if typeAttr, has := block.Body.Attributes["type"]; has && value.IsWhollyKnown() {
			if ty, diags := typeexpr.TypeConstraint(typeAttr.Expr); !diags.HasErrors() {
				if converted, err := convert.Convert(value, ty); err == nil {
					value = converted
				} else {
					m.ev.warn("%s: variable %q: %s", m.dir, name, err)
				}
			}
		}
		m.vars[name] = value
	}
}

var metaArguments = map[string]bool{
	"count": true, "for_each": true, "depends_on": true, "provider": true, "lifecycle": true,
	"provisioner": true, "connection": true,
}

// body evaluates a block body into an object: attributes by name, nested blocks as tuples of
// objects by type (dynamic blocks expanded).
func (m *module) body(b *hclsyntax.Body, extra map[string]cty.Value, top bool) cty.Value {
	attrs := map[string]cty.Value{}
	for name, attr := range b.Attributes {
		if top && metaArguments[name] {
			continue
		}
		attrs[name] = m.eval(attr.Expr, extra)
	}
	nested := map[string][]cty.Value{}
	for _, block := range b.Blocks {
		if top && metaArguments[block.Type] {
			continue
		}
		if block.Type != "dynamic" {
			nested[block.Type] = append(nested[block.Type], m.body(block.Body, extra, false))
			continue
		}
		label := block.Labels[0]
		iterator := label
		if it, ok := block.Body.Attributes["iterator"]; ok {
			iterator = hcl.ExprAsKeyword(it.Expr)
		}
		feAttr, ok := block.Body.Attributes["for_each"]
		if !ok {
			continue
		}
		collection := m.eval(feAttr.Expr, extra)
		if !collection.IsWhollyKnown() || collection.IsNull() {
			m.ev.warn("dynamic %q: for_each is not known; block left out", label)
			continue
		}
		for _, content := range block.Body.Blocks {
			if content.Type != "content" {
				continue
			}
			it := collection.ElementIterator()
			for it.Next() {
				k, v := it.Element()
				inner := map[string]cty.Value{}
				for ek, ev := range extra {
					inner[ek] = ev
				}
				inner[iterator] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
				nested[label] = append(nested[label], m.body(content.Body, inner, false))
			}
		}
		if _, ok := nested[label]; !ok {
			nested[label] = []cty.Value{}
		}
	}
	for name, list := range nested {
		if len(list) == 0 {
			attrs[name] = cty.EmptyTupleVal
		} else {
			attrs[name] = cty.TupleVal(list)
		}
	}
	return objectOrEmpty(attrs)
}

// block evaluates a resource or data source ("aws_vpc.this", "data.aws_region.current") into the
// value other expressions see: one object, a tuple (count) or an object of instances (for_each).
func (m *module) block(key string) cty.Value {
	if v, ok := m.blockVals[key]; ok {
		return v
	}
	block, ok := m.blocks[key]
	if !ok {
		m.ev.warn("%s: %s is not declared", m.dir, key)
		return cty.DynamicVal
	}
	if m.inProgress[key] {
		return cty.DynamicVal
	}
	m.inProgress[key] = true
	defer delete(m.inProgress, key)

	mode, typ, name := "managed", block.Labels[0], block.Labels[1]
	if block.Type == "data" {
		mode = "data"
	}
	deps := m.dependsOn(block)
	type inst struct {
		index interface{}
		extra map[string]cty.Value
		key   cty.Value
	}
	var instances []inst
	var shape string
	if fe, ok := block.Body.Attributes["for_each"]; ok {
		shape = "for_each"
		collection := m.eval(fe.Expr, nil)
		if !collection.IsWhollyKnown() || collection.IsNull() {
			m.ev.warn("%s: for_each is not known; no instance", m.qualified(key))
			v := cty.DynamicVal
			m.blockVals[key] = v
			return v
		}
		it := collection.ElementIterator()
		for it.Next() {
			k, v := it.Element()
			if collection.Type().IsSetType() {
				k = v
			}
			instances = append(instances, inst{
				index: k.AsString(), key: k,
				extra: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})},
			})
		}
	} else if c, ok := block.Body.Attributes["count"]; ok {
		shape = "count"
		n := m.eval(c.Expr, nil)
		if !n.IsWhollyKnown() || n.IsNull() {
			m.ev.warn("%s: count is not known; no instance", m.qualified(key))
			v := cty.DynamicVal
			m.blockVals[key] = v
			return v
		}
		var count int
		_ = convertInt(n, &count)
		for i := 0; i < count; i++ {
			instances = append(instances, inst{
				index: i,
				extra: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})},
			})
		}
	} else {
		instances = []inst{{index: nil, extra: nil}}
	}

	byKey := map[string]cty.Value{}
	var list []cty.Value
	for _, in := range instances {
		address := m.qualified(key)
		switch idx := in.index.(type) {
		case string:
			address += fmt.Sprintf("[%q]", idx)
		case int:
			address += fmt.Sprintf("[%d]", idx)
		}
		obj := m.body(block.Body, in.extra, true)
		if mode == "data" && typ == "aws_iam_policy_document" {
			obj = withPolicyJSON(obj, m.ev)
		}
		// The instance's own arguments go out as they are; the placeholders for its computed
		// attributes exist only in the value other expressions read.
		rng := block.DefRange()
		m.ev.out = append(m.ev.out, instanceOut{
			Address: address, Module: m.path, Mode: mode, Type: typ, Name: name, Index: in.index,
			Values: toJSON(obj), DependsOn: deps, File: relPath(m.ev.rootDir, rng.Filename), Line: rng.Start.Line,
		})
		obj = m.withGhosts(key, obj, address, shape != "")
		if shape == "for_each" {
			byKey[in.key.AsString()] = obj
		} else {
			list = append(list, obj)
		}
	}
	var v cty.Value
	switch shape {
	case "for_each":
		v = objectOrEmpty(byKey)
	case "count":
		if len(list) == 0 {
			v = cty.EmptyTupleVal
		} else {
			v = cty.TupleVal(list)
		}
	default:
		v = list[0]
	}
	m.blockVals[key] = v
	return v
}

func relPath(base, file string) string {
	if rel, err := filepath.Rel(base, file); err == nil {
		return rel
	}
	return file
}

func convertInt(v cty.Value, out *int) error {
	if v.Type() != cty.Number {
		return fmt.Errorf("not a number")
	}
	bf := v.AsBigFloat()
	i, _ := bf.Int64()
	*out = int(i)
	return nil
}

// dependsOn lists what a block must come after (module-qualified, without instance keys): every
// resource, data source or module call its expressions name, and those named by depends_on. A
// reference to a known argument (aws_ecr_repository.this.name) is an ordering all the same.
func (m *module) dependsOn(block *hclsyntax.Block) []string {
	self := block.Labels[0] + "." + block.Labels[1]
	if block.Type == "data" {
		self = "data." + self
	}
	seen := map[string]bool{}
	deps := []string{}
	hclsyntax.VisitAll(block.Body, func(node hclsyntax.Node) hcl.Diagnostics {
		expr, ok := node.(*hclsyntax.ScopeTraversalExpr)
		if !ok {
			return nil
		}
		dep := ""
		if key, _ := m.resourceKeyOf(expr.Traversal); key != "" && key != self {
			dep = m.qualified(key)
		} else if expr.Traversal.RootName() == "module" && attrName(expr.Traversal, 1) != "" {
			dep = m.qualified("module." + attrName(expr.Traversal, 1))
		}
		if dep != "" && !seen[dep] {
			seen[dep] = true
			deps = append(deps, dep)
		}
		return nil
	})
	sort.Strings(deps)
	return deps
}

// withGhosts adds a placeholder for every attribute path other expressions read from this
// instance and its configuration does not hold (ids, ARNs, nested computed attributes).
func (m *module) withGhosts(key string, obj cty.Value, address string, repeated bool) cty.Value {
	paths := [][]hcl.Traverser{{hcl.TraverseAttr{Name: "id"}}, {hcl.TraverseAttr{Name: "arn"}}}
	for name := range m.looseAttrs {
		paths = append(paths, []hcl.Traverser{hcl.TraverseAttr{Name: name}})
	}
	for _, p := range m.ghostPaths[key] {
		if len(p) > 0 {
			switch p[0].(type) {
			case hcl.TraverseIndex, hcl.TraverseSplat:
				if repeated {
					p = p[1:]
				}
			}
		}
		paths = append(paths, p)
	}
	for _, p := range paths {
		obj = addGhost(obj, p, address, nil)
	}
	return obj
}

func addGhost(v cty.Value, path []hcl.Traverser, address string, done []string) cty.Value {
	if len(path) == 0 {
		return v
	}
	switch step := path[0].(type) {
	case hcl.TraverseAttr:
		here := append(append([]string{}, done...), step.Name)
		if !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
			return v
		}
		attrs := v.AsValueMap()
		if attrs == nil {
			attrs = map[string]cty.Value{}
		}
		if existing, ok := attrs[step.Name]; ok {
			attrs[step.Name] = addGhost(existing, path[1:], address, here)
		} else {
			attrs[step.Name] = ghostValue(path[1:], address, here)
		}
		return cty.ObjectVal(attrs)
	case hcl.TraverseIndex:
		if !v.IsKnown() || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
			return v
		}
		elems := v.AsValueSlice()
		for i := range elems {
			elems[i] = addGhost(elems[i], path[1:], address, append(append([]string{}, done...), fmt.Sprint(i)))
		}
		if len(elems) == 0 {
			return v
		}
		return cty.TupleVal(elems)
	}
	return v
}

// ghostValue builds the structure a computed path reads: a.b → {b: «…»}, a[0].b → [{b: «…»}].
func ghostValue(rest []hcl.Traverser, address string, done []string) cty.Value {
	if len(rest) == 0 {
		return cty.StringVal(placeholder(address, strings.Join(done, ".")))
	}
	switch step := rest[0].(type) {
	case hcl.TraverseAttr:
		here := append(append([]string{}, done...), step.Name)
		return cty.ObjectVal(map[string]cty.Value{step.Name: ghostValue(rest[1:], address, here)})
	case hcl.TraverseIndex:
		here := append(append([]string{}, done...), "0")
		return cty.TupleVal([]cty.Value{ghostValue(rest[1:], address, here)})
	}
	return cty.StringVal(placeholder(address, strings.Join(done, ".")))
}

// --- aws_iam_policy_document, rendered as the aws provider renders it ---------------------------

type policyStatement struct {
	Sid          string      `json:"Sid,omitempty"`
	Effect       string      `json:"Effect"`
	Action       interface{} `json:"Action,omitempty"`
	NotAction    interface{} `json:"NotAction,omitempty"`
	Resource     interface{} `json:"Resource,omitempty"`
	NotResource  interface{} `json:"NotResource,omitempty"`
	Principal    interface{} `json:"Principal,omitempty"`
	NotPrincipal interface{} `json:"NotPrincipal,omitempty"`
	Condition    interface{} `json:"Condition,omitempty"`
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

func stringList(v cty.Value) []string {
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	it := v.ElementIterator()
	for it.Next() {
		_, e := it.Element()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
		} else {
			out = append(out, unknownMarker)
		}
	}
	return out
}

// decodeList is the provider's policyDecodeConfigStringList: one value as a string, several
// reverse-sorted.
func decodeList(values []string) interface{} {
	if len(values) == 0 {
		return nil
	}
	if len(values) == 1 {
		return values[0]
	}
	out := append([]string{}, values...)
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

func getAttr(obj cty.Value, name string) cty.Value {
	if !obj.IsKnown() || obj.IsNull() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return obj.GetAttr(name)
}

func principals(v cty.Value) interface{} {
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() || v.LengthInt() == 0 {
		return nil
	}
	out := map[string]interface{}{}
	it := v.ElementIterator()
	for it.Next() {
		_, p := it.Element()
		typ := getAttr(p, "type")
		ids := stringList(getAttr(p, "identifiers"))
		if typ.IsKnown() && !typ.IsNull() && typ.AsString() == "*" {
			return "*"
		}
		if typ.IsKnown() && !typ.IsNull() {
			out[typ.AsString()] = decodeList(ids)
		}
	}
	return out
}

func conditions(v cty.Value) interface{} {
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() || v.LengthInt() == 0 {
		return nil
	}
	out := map[string]map[string]interface{}{}
	it := v.ElementIterator()
	for it.Next() {
		_, c := it.Element()
		test, variable := getAttr(c, "test"), getAttr(c, "variable")
		if !test.IsKnown() || test.IsNull() || !variable.IsKnown() || variable.IsNull() {
			continue
		}
		if out[test.AsString()] == nil {
			out[test.AsString()] = map[string]interface{}{}
		}
		out[test.AsString()][variable.AsString()] = decodeList(stringList(getAttr(c, "values")))
	}
	return out
}

func withPolicyJSON(obj cty.Value, ev *evaluator) cty.Value {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{}}
	if v := getAttr(obj, "version"); v.IsKnown() && !v.IsNull() {
		doc.Version = v.AsString()
	}
	statements := getAttr(obj, "statement")
	if statements.IsKnown() && !statements.IsNull() && statements.CanIterateElements() {
		it := statements.ElementIterator()
		for it.Next() {
			_, s := it.Element()
			st := policyStatement{Effect: "Allow"}
			if v := getAttr(s, "sid"); v.IsKnown() && !v.IsNull() {
				st.Sid = v.AsString()
			}
			if v := getAttr(s, "effect"); v.IsKnown() && !v.IsNull() {
				st.Effect = v.AsString()
			}
			st.Action = decodeList(stringList(getAttr(s, "actions")))
			st.NotAction = decodeList(stringList(getAttr(s, "not_actions")))
			st.Resource = decodeList(stringList(getAttr(s, "resources")))
			st.NotResource = decodeList(stringList(getAttr(s, "not_resources")))
			st.Principal = principals(getAttr(s, "principals"))
			st.NotPrincipal = principals(getAttr(s, "not_principals"))
			st.Condition = conditions(getAttr(s, "condition"))
			doc.Statement = append(doc.Statement, st)
		}
	}
	pretty, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		ev.warn("aws_iam_policy_document: %s", err)
		return obj
	}
	minified, _ := json.Marshal(doc)
	attrs := obj.AsValueMap()
	attrs["json"] = cty.StringVal(unescapeHTML(string(pretty)))
	attrs["minified_json"] = cty.StringVal(unescapeHTML(string(minified)))
	return cty.ObjectVal(attrs)
}

// unescapeHTML undoes encoding/json's HTML escaping (the provider does not escape < > &).
func unescapeHTML(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

// --- JSON output -----------------------------------------------------------------------------------

func toJSON(v cty.Value) interface{} {
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return unknownMarker
	}
	if v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(nil)
			return json.Number(i.String())
		}
		return json.Number(bf.Text('g', -1))
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		out := []interface{}{}
		it := v.ElementIterator()
		for it.Next() {
			_, e := it.Element()
			out = append(out, toJSON(e))
		}
		return out
	case ty.IsMapType(), ty.IsObjectType():
		out := map[string]interface{}{}
		it := v.ElementIterator()
		for it.Next() {
			k, e := it.Element()
			out[k.AsString()] = toJSON(e)
		}
		return out
	}
	return unknownMarker
}

func typeJSON(v cty.Value) json.RawMessage {
	raw, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return json.RawMessage(`"dynamic"`)
	}
	return raw
}

// --- functions: Terraform's names over cty's standard library -------------------------------------

var startsWith = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.HasPrefix(args[0].AsString(), args[1].AsString())), nil
	},
})

var endsWith = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "suffix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.HasSuffix(args[0].AsString(), args[1].AsString())), nil
	},
})

func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			result := all
			it := args[0].ElementIterator()
			for it.Next() {
				_, e := it.Element()
				if e.IsNull() {
					continue
				}
				if all && e.False() {
					result = false
				}
				if !all && e.True() {
					result = true
				}
			}
			return cty.BoolVal(result), nil
		},
	})
}

// length accepts strings, collections and structural types, as Terraform's does.
var length = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if v.Type() == cty.String {
			return stdlib.Strlen(v)
		}
		if !v.IsKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		if v.Type().IsObjectType() || v.Type().IsTupleType() || v.Type().IsMapType() ||
			v.Type().IsListType() || v.Type().IsSetType() {
			return cty.NumberIntVal(int64(v.LengthInt())), nil
		}
		return cty.NilVal, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

func functions() map[string]function.Function {
	return map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "alltrue": boolFold(true), "anytrue": boolFold(false),
		"base64decode": encoding.Base64DecodeFunc, "base64encode": encoding.Base64EncodeFunc,
		"can": tryfunc.CanFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc,
		"cidrhost": cidr.HostFunc, "cidrnetmask": cidr.NetmaskFunc, "cidrsubnet": cidr.SubnetFunc,
		"cidrsubnets": cidr.SubnetsFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "endswith": endsWith, "flatten": stdlib.FlattenFunc,
		"floor": stdlib.FloorFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc, "length": length,
		"lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc, "max": stdlib.MaxFunc,
		"merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "range": stdlib.RangeFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc,
		"startswith": startsWith, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "tobool": stdlib.MakeToFunc(cty.Bool),
		"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":  stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), "tonumber": stdlib.MakeToFunc(cty.Number),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "try": tryfunc.TryFunc, "upper": stdlib.UpperFunc,
		"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
	}
}

// --- inputs ------------------------------------------------------------------------------------------

type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }

func jsonToCty(raw []byte, what string) map[string]cty.Value {
	ty, err := ctyjson.ImpliedType(raw)
	if err != nil {
		fail("%s is not JSON: %s", what, err)
	}
	v, err := ctyjson.Unmarshal(raw, ty)
	if err != nil || !v.Type().IsObjectType() {
		fail("%s must be a JSON object", what)
	}
	return v.AsValueMap()
}

func readVarFile(parser *hclparse.Parser, file string) map[string]cty.Value {
	raw, err := os.ReadFile(file)
	if err != nil {
		fail("cannot read %s: %s", file, err)
	}
	if strings.HasSuffix(file, ".json") {
		return jsonToCty(raw, file)
	}
	f, diags := parser.ParseHCL(raw, file)
	if diags.HasErrors() {
		fail("%s", diags.Error())
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		fail("%s", diags.Error())
	}
	out := map[string]cty.Value{}
	for name, attr := range attrs {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			fail("%s", diags.Error())
		}
		out[name] = v
	}
	return out
}

func main() {
	var varFiles multiFlag
	root := flag.String("root", "", "root module directory")
	vars := flag.String("vars", "", "root variables as a JSON object")
	moduleArgs := flag.String("module-args", "", "overrides of the root's module call arguments, {\"call\": {\"arg\": value}}")
	showVersion := flag.Bool("version", false, "print the version")
	flag.Var(&varFiles, "var-file", "a .tfvars or .tfvars.json file (repeatable)")
	flag.Parse()
	if *showVersion {
		fmt.Printf("stackproof-tfeval %s\n", version)
		return
	}
	if *root == "" {
		fail("-root DIR is required")
	}
	rootDir, err := filepath.Abs(*root)
	if err != nil {
		fail("%s", err)
	}
	ev := &evaluator{parser: hclparse.NewParser(), funcs: functions(), rootDir: rootDir}
	given := map[string]cty.Value{}
	for _, file := range varFiles {
		for k, v := range readVarFile(ev.parser, file) {
			given[k] = v
		}
	}
	if *vars != "" {
		for k, v := range jsonToCty([]byte(*vars), "-vars") {
			given[k] = v
		}
	}
	m := ev.loadModule("", rootDir)
	m.callArgsOvr = map[string]cty.Value{}
	if *moduleArgs != "" {
		m.callArgsOvr = jsonToCty([]byte(*moduleArgs), "-module-args")
		for name := range m.callArgsOvr {
			if _, ok := m.calls[name]; !ok {
				fail("-module-args: the root has no module call %q", name)
			}
		}
	}
	m.setVariables(given)

	doc := document{Root: rootDir, Providers: map[string]interface{}{}, Variables: map[string]variableOut{}, Outputs: map[string]outputOut{}}
	// The root's provider configurations (region, default_tags), by provider name (aliases as
	// name.alias).
	for _, block := range m.providers {
		name := block.Labels[0]
		if alias, ok := block.Body.Attributes["alias"]; ok {
			if v := m.eval(alias.Expr, nil); v.IsKnown() && v.Type() == cty.String {
				name += "." + v.AsString()
			}
		}
		doc.Providers[name] = toJSON(m.body(block.Body, nil, false))
	}
	for name, block := range m.varDecls {
		desc := ""
		if d, ok := block.Body.Attributes["description"]; ok {
			if v := m.eval(d.Expr, nil); v.IsKnown() && v.Type() == cty.String {
				desc = v.AsString()
			}
		}
		source := "default"
		if _, ok := given[name]; ok {
			source = "given"
		}
		doc.Variables[name] = variableOut{Description: desc, Value: toJSON(m.vars[name]), Source: source}
	}
	names := make([]string, 0, len(m.outputs))
	for name := range m.outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		block := m.outputs[name]
		attr, ok := block.Body.Attributes["value"]
		if !ok {
			continue
		}
		v := m.eval(attr.Expr, nil)
		sensitive := false
		if s, ok := block.Body.Attributes["sensitive"]; ok {
			sv := m.eval(s.Expr, nil)
			sensitive = sv.IsKnown() && sv.Type() == cty.Bool && sv.True()
		}
		doc.Outputs[name] = outputOut{Sensitive: sensitive, Type: typeJSON(v), Value: toJSON(v)}
	}
	// Every resource and data source, also those no output reads.
	var evalAll func(*module)
	evalAll = func(mod *module) {
		keys := make([]string, 0, len(mod.blocks))
		for key := range mod.blocks {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			mod.block(key)
		}
		calls := make([]string, 0, len(mod.calls))
		for name := range mod.calls {
			calls = append(calls, name)
		}
		sort.Strings(calls)
		for _, name := range calls {
			mod.child(name)
			evalAll(mod.children[name])
		}
	}
	evalAll(m)
	sort.SliceStable(ev.out, func(i, j int) bool { return ev.out[i].Address < ev.out[j].Address })
	doc.Resources = ev.out
	doc.Warnings = append([]string{}, ev.warnings...)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		fail("%s", err)
	}
}
